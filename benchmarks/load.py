"""N concurrent shoppers talking to one assistant for a bounded time, with the small real model.

Reports turns per second, latency percentiles, errors (exceptions), fallbacks (the model's output
was unusable or late, so the template answered) and cross-session leaks: a session that holds a
turn another shopper sent, or an answer that came back under another shopper's session. Next to
it, the same load with the LLM switched off: the baseline cost of everything but the model.

    .venv/bin/python benchmarks/load.py [--sessions 16] [--seconds 120]   # needs: shopassist reindex --store demo
"""

from __future__ import annotations

import argparse
import random
import threading
import time

import numpy as np

from shopassist.assistant.factory import open_assistant
from shopassist.settings import Settings

SCRIPT = [
    "christmas decorations", "cheaper?", "show me more", "a red mug", "is the second one dishwasher safe?",
    "lunch bag for school", "not that one, something else", "candles under £3", "heart decoration", "cake stand",
]


def load(assistant, shoppers: list[str | None], seconds: float) -> dict:
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    kinds: dict[str, int] = {}
    errors: list[str] = []
    leaks: list[str] = []
    lock = threading.Lock()

    def shopper_loop(index: int) -> None:
        user = shoppers[index]
        rng = random.Random(index)
        session = None
        sent: list[str] = []
        while time.monotonic() < stop:
            message = f"{rng.choice(SCRIPT)}"
            started = time.perf_counter()
            try:
                answer = assistant.ask(user, message, session)
            except Exception as e:  # counted, not hidden: the target is zero
                with lock:
                    errors.append(f"{type(e).__name__}: {e}")
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if session is not None and answer.session != session:
                session, sent = answer.session, []  # expired and restarted: not a leak
            session = answer.session
            sent.append(message)
            state = assistant.sessions.find(session)
            mine = [t.text for t in state.turns if t.role == "user"] if state else []
            with lock:
                latencies.append(elapsed)
                kinds[answer.kind] = kinds.get(answer.kind, 0) + 1
                if state is None or state.shopper_id != user or mine != sent:
                    leaks.append(f"session {session} of {user}: holds {mine[-3:]} vs sent {sent[-3:]}")

    threads = [threading.Thread(target=shopper_loop, args=(i,)) for i in range(len(shoppers))]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    lat = np.array(latencies) if latencies else np.array([np.nan])
    return {"turns": len(latencies), "wall": wall, "tps": len(latencies) / wall, "p50": np.percentile(lat, 50), "p95": np.percentile(lat, 95),
            "errors": errors, "leaks": leaks, "kinds": kinds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--llm", default="smollm2-135m")
    parser.add_argument("--store", default="demo")
    args = parser.parse_args()
    settings = Settings.load(llm=args.llm, llm_backend="llama-cpp")
    with_llm = open_assistant(settings, args.store)
    shoppers = [sid for sid, _ in with_llm.shoppers(args.sessions - 1)] + [None]
    print(f"{args.sessions} concurrent sessions × {args.seconds:.0f} s on the {args.store} store, {args.llm} via llama.cpp")
    for label, assistant, seconds in (("with the LLM", with_llm, args.seconds), ("baseline, no LLM", open_assistant(settings, args.store, without_llm=True), min(30.0, args.seconds))):
        r = load(assistant, shoppers, seconds)
        print(f"{label:<18} {r['turns']:5d} turns in {r['wall']:5.1f} s = {r['tps']:5.2f} turns/s | p50 {r['p50']:7.0f} ms  p95 {r['p95']:7.0f} ms | "
              f"errors {len(r['errors'])} | leaks {len(r['leaks'])} | kinds {r['kinds']}")
        for line in (r["errors"] + r["leaks"])[:5]:
            print("   ", line)


if __name__ == "__main__":
    main()
