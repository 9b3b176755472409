"""N concurrent shoppers talking to one assistant for a bounded time, on one model: in this process
(llama.cpp, one generation at a time) and through an OpenAI-compatible server process
(llama-cpp-python's server, which also answers one request at a time and queues the rest).

Every turn waits for the model at most the LLM wait budget (Settings.llm_budget_s: the queue for
the model plus its first token); a turn that cannot get it in time answers from the template at
once. Per mode it reports turns, turns/s, p50/p95 turn latency, the time to the first words, the
share answered by the model, the share whose wait for the model stayed within the budget, errors
(exceptions) and cross-session leaks (a session that holds a turn another shopper sent, or an
answer that came back under another shopper's session). Last, the same load with the LLM switched
off: the baseline cost of everything but the model.

    .venv/bin/python benchmarks/load.py [--sessions 16] [--seconds 120] [--mode both]   # needs: shopassist reindex --store demo
    .venv/bin/python benchmarks/load.py --mode server --base-url http://127.0.0.1:8080    # a server already running
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import numpy as np

from shopassist.assistant.answer import Answer
from shopassist.assistant.core import Chunk
from shopassist.assistant.factory import open_assistant
from shopassist.assistant.llm.llama_server import llama_server
from shopassist.assistant.llm.resolve import cpu_gguf_path, model_name, parse_model
from shopassist.settings import Settings

SCRIPT = [
    "christmas decorations", "cheaper?", "show me more", "a red mug", "is the second one dishwasher safe?",
    "lunch bag for school", "not that one, something else", "candles under £3", "heart decoration", "cake stand",
]


def load(assistant, shoppers: list[str | None], seconds: float) -> dict:
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    first_words: list[float] = []
    answers: list[Answer] = []
    errors: list[str] = []
    leaks: list[str] = []
    lock = threading.Lock()

    def shopper_loop(index: int) -> None:
        user = shoppers[index]
        rng = random.Random(index)
        session = None
        sent: list[str] = []
        while time.monotonic() < stop:
            message = rng.choice(SCRIPT)
            started = time.perf_counter()
            first = None
            try:
                for item in assistant.stream(user, message, session):
                    if isinstance(item, Chunk) and first is None:
                        first = (time.perf_counter() - started) * 1000
                    answer = item
            except Exception as e:  # counted, not hidden: the target is zero
                with lock:
                    errors.append(f"{type(e).__name__}: {e}")
                continue
            elapsed = (time.perf_counter() - started) * 1000
            assert isinstance(answer, Answer)
            if session is not None and answer.session != session:
                session, sent = answer.session, []  # expired and restarted: not a leak
            session = answer.session
            sent.append(message)
            state = assistant.sessions.find(session)
            mine = [t.text for t in state.turns if t.role == "user"] if state else []
            with lock:
                latencies.append(elapsed)
                first_words.append(first if first is not None else elapsed)
                answers.append(answer)
                if state is None or state.shopper_id != user or mine != sent:
                    leaks.append(f"session {session} of {user}: holds {mine[-3:]} vs sent {sent[-3:]}")

    threads = [threading.Thread(target=shopper_loop, args=(i,)) for i in range(len(shoppers))]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    return {"wall": wall, "latencies": latencies, "first_words": first_words, "answers": answers, "errors": errors, "leaks": leaks}


def report(label: str, r: dict, budget_s: float) -> None:
    answers: list[Answer] = r["answers"]
    n = len(answers)
    lat = np.array(r["latencies"] or [np.nan])
    words = np.array(r["first_words"] or [np.nan])
    waits = [a.timings["llm_wait"] for a in answers if "llm_wait" in a.timings]  # the turns that asked the model
    asked = len(waits)
    in_time = sum(1 for w in waits if w <= budget_s * 1000)  # strictly: the budget is the shopper's promise
    within = in_time + n - asked  # a turn answered by code never waits for the model
    by = Counter(a.answered_by for a in answers)
    reasons = Counter(a.reason for a in answers if a.reason)
    print(f"{label:<24} {n:5d} turns in {r['wall']:5.1f} s = {n / r['wall']:5.2f} turns/s | "
          f"p50 {np.percentile(lat, 50):6.0f} ms  p95 {np.percentile(lat, 95):6.0f} ms | "
          f"first words p95 {np.percentile(words, 95):6.0f} ms | errors {len(r['errors'])} | leaks {len(r['leaks'])}")
    if asked:
        print(f"{'':<24} asked the model {asked}: answered by it {by['model']} ({by['model'] / asked:.0%}), "
              f"wait within the {budget_s:g} s budget {in_time}/{asked} "
              f"(max wait {max(waits) / 1000:.2f} s, p95 {np.percentile(waits, 95) / 1000:.2f} s) | "
              f"all turns within budget {within}/{n} ({within / max(n, 1):.0%})")
    print(f"{'':<24} answered by {dict(by)}; template because {dict(reasons) or 'never'}")
    for line in (r["errors"] + r["leaks"])[:5]:
        print("   ", line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=16, help="concurrent shoppers (default 16)")
    parser.add_argument("--seconds", type=float, default=120, help="how long each mode runs (default 120)")
    parser.add_argument("--llm", default="smollm2-135m", help="a shipped model's short name or a .gguf file (default smollm2-135m)")
    parser.add_argument("--store", default="demo")
    parser.add_argument("--mode", choices=("in-process", "server", "both"), default="both",
                        help="the model in this process, behind a llama-cpp-python server process, or both (default)")
    parser.add_argument("--base-url", help="use this running OpenAI-compatible server instead of starting one")
    parser.add_argument("--threads", type=int, help="llama.cpp threads, in-process and in the server (default: Settings.threads)")
    parser.add_argument("--budget", type=float, help="the LLM wait budget in seconds (default: Settings.llm_budget_s)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run without the LLM")
    args = parser.parse_args()
    base = Settings.load(llm=args.llm, threads=args.threads, llm_budget_s=args.budget)
    print(f"{args.sessions} concurrent sessions × {args.seconds:.0f} s on the {args.store} store, {args.llm}, "
          f"{base.threads} llama.cpp thread(s), LLM wait budget {base.llm_budget_s:g} s")
    modes = ("in-process", "server") if args.mode == "both" else (args.mode,)
    shoppers = None
    for mode in modes:
        with ExitStack() as stack:
            if mode == "in-process":
                settings = base.with_(llm_backend="llama-cpp")
            else:
                url = args.base_url
                if url is None:
                    model = cpu_gguf_path(parse_model(model_name(base)), base)
                    log = Path(tempfile.mkdtemp(prefix="llama-server-")) / "server.log"
                    started = time.monotonic()
                    url = stack.enter_context(llama_server(model, threads=base.threads, log=log))
                    print(f"started llama_cpp.server for {model.name} at {url} in {time.monotonic() - started:.1f} s (log: {log})")
                settings = base.with_(llm_backend="openai", llm_base_url=url, llm=model_name(base))
            assistant = open_assistant(settings, args.store)
            shoppers = shoppers or [sid for sid, _ in assistant.shoppers(args.sessions - 1)] + [None]
            report(f"{mode}, with the LLM", load(assistant, shoppers, args.seconds), base.llm_budget_s)
            if close := getattr(assistant.llm, "close", None):
                close()
    if not args.no_baseline:
        assistant = open_assistant(base, args.store, without_llm=True)
        shoppers = shoppers or [sid for sid, _ in assistant.shoppers(args.sessions - 1)] + [None]
        report("baseline, no LLM", load(assistant, shoppers, min(30.0, args.seconds)), base.llm_budget_s)


if __name__ == "__main__":
    main()
