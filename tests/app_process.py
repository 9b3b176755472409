"""One app server of the two-server test (tests/test_two_servers.py): an Assistant put together from
its settings, exactly as `shopassist ui` does, driven by one JSON command per line on stdin and
answering one JSON line each on stdout.

    python tests/app_process.py STORE    # SHOPASSIST_HOME, _DATABASE_URL, _CHROMA_URL from the environment
"""

import json
import sys

from shopassist.assistant.factory import open_assistant
from shopassist.settings import Settings

assistant = open_assistant(Settings.load(), sys.argv[1], without_llm=True)  # the shared state is the test's subject, not the wording
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    command = json.loads(line)
    op = command["op"]
    if op == "ask":
        answer = assistant.ask(command["user"], command["query"], command.get("session"))
        reply = {"session": answer.session, "products": [s.product.id for s in answer.suggestions], "kind": answer.kind}
    elif op == "feedback":
        reply = {"kind": assistant.feedback(command["session"], command["product"], command["kind"]).kind}
    elif op == "summary":
        reply = {"summary": assistant.shopper_summary(command["user"])}
    elif op == "live":
        reply = {"live": assistant.sessions.find(command["session"]) is not None}
    else:
        reply = {"error": f"unknown op {op!r}"}
    print(json.dumps(reply), flush=True)
