"""The `shopassist` command end to end, as a person runs it (real processes, real index)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from shopassist.cli import app

COMMANDS = [[], ["reindex"], ["search"], ["catalog"], ["catalog", "export"], ["eval"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "root")
def test_every_command_has_help(command):
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def run(settings, *args, check=True):
    env = dict(os.environ, SHOPASSIST_HOME=str(settings.home))
    if settings.database_url:  # the event log in PostgreSQL, as an app server would be configured
        env["SHOPASSIST_DATABASE_URL"] = settings.database_url
    proc = subprocess.run([sys.executable, "-m", "shopassist.cli", *args], capture_output=True, text=True, env=env, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}: {proc.stderr[-2000:]}")
    return proc


def test_reindex_is_incremental_and_tracks_an_edited_copy(settings, products_csv, tmp_path):
    first = json.loads(run(settings, "reindex", "--catalog", str(products_csv), "--json").stdout)
    assert first == {"added": 300, "updated": 0, "deleted": 0, "unchanged": 0, "rejected": 0}
    again = json.loads(run(settings, "reindex", "--catalog", str(products_csv), "--json").stdout)
    assert (again["added"], again["updated"]) == (0, 0)

    lines = products_csv.read_text().splitlines()
    pid, _, rest = lines[5].partition(",")
    lines[5] = f"{pid},EDITED TITLE FOR A LAMP,{rest.split(',')[-1]}"
    copy = tmp_path / "copy.csv"
    copy.write_text("\n".join(lines) + "\n")
    edited = json.loads(run(settings, "reindex", "--catalog", str(copy), "--store", "shop", "--json").stdout)
    assert edited == {"added": 0, "updated": 1, "deleted": 0, "unchanged": 299, "rejected": 0}

    found = json.loads(run(settings, "search", "edited lamp", "--store", "shop", "--k", "3", "--json").stdout)
    assert found["results"][0]["id"] == pid


def test_broken_catalogue_indexes_accepted_rows_and_writes_rejects(settings, tmp_path):
    from tests.test_loaders import BROKEN_CSV

    path = tmp_path / "broken.csv"
    path.write_bytes(BROKEN_CSV)
    proc = run(settings, "reindex", "--catalog", str(path), "--json")
    assert json.loads(proc.stdout) == {"added": 2, "updated": 0, "deleted": 0, "unchanged": 0, "rejected": 5}
    for expected in ("row 2: price 'abc' is not a number", "row 3: the title is empty", "row 4: id '1' is already used",
                     "row 5: column 'title' holds bytes that are not UTF-8", "row 6: price -1.0 is negative"):
        assert expected in proc.stderr
    rejects = settings.store_dir("broken") / "rejects.jsonl"
    assert len(rejects.read_text().splitlines()) == 5


def test_unreadable_catalogue_fails_cleanly_and_leaves_the_index(settings, products_csv, tmp_path):
    run(settings, "reindex", "--catalog", str(products_csv), "--store", "shop")
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,colour\n1,red\n")
    proc = run(settings, "reindex", "--catalog", str(bad), "--store", "shop", check=False)
    assert proc.returncode == 1
    error_lines = [l for l in proc.stderr.splitlines() if l.startswith("shopassist:")]
    assert len(error_lines) == 1 and "no title column" in error_lines[0]
    again = json.loads(run(settings, "reindex", "--catalog", str(products_csv), "--store", "shop", "--json").stdout)
    assert again["unchanged"] == 300 and again["deleted"] == 0


@pytest.mark.parametrize("kill_at", ["loading", "50/300", "writing the lexical index", "writing the store snapshot"])
def test_kill_9_at_any_stage_then_resume(settings, products_csv, kill_at):
    """Killed without warning while loading, between embedding batches, while the lexical index or
    the snapshot is being written: the next run completes the job and the store is exact."""
    env = dict(os.environ, SHOPASSIST_HOME=str(settings.home), SHOPASSIST_REINDEX_BATCH_SIZE="50")
    proc = subprocess.Popen(
        [sys.executable, "-m", "shopassist.cli", "reindex", "--catalog", str(products_csv), "--json"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, text=True,
    )
    seen = ""
    deadline = time.time() + 120
    while time.time() < deadline and kill_at not in seen and proc.poll() is None:
        seen += proc.stderr.read(1) or ""
    assert kill_at in seen, seen
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    resumed = json.loads(run(settings, "reindex", "--catalog", str(products_csv), "--json").stdout)
    assert resumed["added"] + resumed["unchanged"] == 300 and resumed["deleted"] == 0
    final = json.loads(run(settings, "reindex", "--catalog", str(products_csv), "--json").stdout)
    assert final["unchanged"] == 300 and final["added"] == final["deleted"] == 0
    found = json.loads(run(settings, "search", "mug", "--store", "shop", "--json").stdout)
    assert any("MUG" in r["title"].upper() for r in found["results"]), "the resumed store answers searches"
    assert not list(settings.store_dir("shop").rglob(".bm25.*")), "no half-written lexical index left behind"


def test_catalog_export_prints_cleaned_products(settings, products_csv):
    lines = run(settings, "catalog", "export", "--catalog", str(products_csv)).stdout.splitlines()
    assert len(lines) == 300
    first = json.loads(lines[0])
    assert {"id", "title", "price", "brand", "category"} <= first.keys()


def test_eval_search_reports_the_tuned_bm25_beside_the_reference(settings, products_csv, tmp_path):
    """Each judged query is a product's own title: every method ranks it near the top, and the
    all-zero query is left out and counted."""
    import csv

    rows = list(csv.DictReader(products_csv.open()))[:4]
    judged = tmp_path / "judgements.csv"
    with judged.open("w", newline="") as f:
        csv.writer(f).writerows([("query", "docid", "rating"), *((r["title"].lower(), r["id"], 3) for r in rows),
                                 ("nothing relevant", rows[0]["id"], 0)])
    out = json.loads(run(settings, "eval", "search", "--catalog", str(products_csv), "--judgments", str(judged), "--json").stdout)
    assert (out["queries"], out["queries_left_out"]) == (4, 1)
    assert {"hybrid", "bm25_tuned", "bm25_reference", "dense"} <= out.keys()
    assert all(out[m]["ndcg@10"] > 0.5 for m in ("hybrid", "bm25_tuned", "bm25_reference"))
