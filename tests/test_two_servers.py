"""Two app servers, one store: two real Assistant processes (tests/app_process.py) share one
PostgreSQL database and one `chroma run` server, as app servers behind a load balancer do."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shopassist.catalog.source_spec import SourceSpec
from shopassist.retrieval.indexing import build_store
from tests.test_cli import run

pytestmark = pytest.mark.server

STORE, SHOPPER, QUERY = "twoservers", "17850", "christmas decoration"
APP = Path(__file__).with_name("app_process.py")


class AppServer:
    def __init__(self, settings):
        env = dict(os.environ, SHOPASSIST_HOME=str(settings.home), SHOPASSIST_DATABASE_URL=settings.database_url,
                   SHOPASSIST_CHROMA_URL=settings.chroma_url)  # fmt: skip
        self.proc = subprocess.Popen([sys.executable, str(APP), STORE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)

    def ready(self) -> None:
        assert json.loads(self.proc.stdout.readline() or "{}") == {"ready": True}, "the app server did not start"

    def __call__(self, op: str, **args) -> dict:
        self.proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def test_two_app_servers_share_feedback_and_forget_but_not_conversations(settings, database_url, chroma_server, retail_slice, embedder):
    shared = settings.with_(database_url=database_url, chroma_url=chroma_server)
    build_store(shared, SourceSpec(STORE, retail_slice), embedder)
    a, b = AppServer(shared), AppServer(shared)  # both load at once, as a deployment's servers start
    try:
        a.ready()
        b.ready()
        first_a, first_b = a("ask", user=SHOPPER, query=QUERY), b("ask", user=SHOPPER, query=QUERY)
        assert first_a["products"] == first_b["products"] and len(first_a["products"]) == 3  # one store, one ranking
        disliked = first_a["products"][0]
        someone_else = b("ask", user="a-new-shopper", query=QUERY)["products"]

        # Feedback given on server A shapes the shopper's next answer on server B.
        a("feedback", session=first_a["session"], product=disliked, kind="dislike")
        next_b = b("ask", user=SHOPPER, query=QUERY, session=first_b["session"])
        assert disliked not in next_b["products"] and next_b["session"] == first_b["session"]
        assert b("ask", user="a-new-shopper", query=QUERY)["products"] == someone_else  # only that shopper's

        # Conversations stay with the server that holds them: B does not know A's session.
        assert a("live", session=first_a["session"])["live"] and not b("live", session=first_a["session"])["live"]
        assert b("ask", user=SHOPPER, query="cheaper?", session=first_a["session"])["session"] != first_a["session"]

        # forget-user, run once, reaches both servers at their next turn.
        assert "recently bought" in a("summary", user=SHOPPER)["summary"]
        forgotten = json.loads(run(shared, "forget-user", SHOPPER, "--store", STORE).stdout)
        assert forgotten["assistant_events"] == 1 and forgotten["messages"] >= 8
        for server, session in ((a, first_a["session"]), (b, first_b["session"])):
            again = server("ask", user=SHOPPER, query=QUERY)
            assert server("summary", user=SHOPPER)["summary"] == "a new shopper (no history)"
            assert not server("live", session=session)["live"]
            assert again["products"] == server("ask", user="a-new-shopper", query=QUERY)["products"]  # purchases and dislike gone alike
    finally:
        a.stop()
        b.stop()
