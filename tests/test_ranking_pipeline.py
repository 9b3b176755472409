"""Training and evaluation end to end on data whose answers are known; artefacts; the two commands."""

from __future__ import annotations

import json
import re
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from shopassist.ranking import artefacts
from shopassist.ranking.evaluate import evaluate
from shopassist.ranking.models.sasrec import SASRecConfig
from shopassist.ranking.pipeline import FINAL, TrainConfig, train
from shopassist.ranking.split import leave_last_out
from shopassist.ranking.threads import compute_threads
from shopassist.cli import app
from shopassist.errors import ModelNotFound
from tests.test_ranking_models import checkerboard


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    with compute_threads(1):  # tiny models: extra threads only spin
        yield


SMALL = TrainConfig(
    sasrec=SASRecConfig(dim=16, epochs=30, dropout=0.1, lr=5e-3),
    recency_grid=((1, 1.0), (3, 0.7)),
    segments=2,
    combiners=("logistic C=0.1", "logistic C=1"),  # boosted trees are exercised by the command test
)


@pytest.fixture(scope="module")
def board():
    return checkerboard(shoppers=60)


@pytest.fixture(scope="module")
def result(board):
    return evaluate(board, "leave-last-out", SMALL)


def test_every_model_and_the_final_ranker_are_measured(result):
    assert set(result.rows) == {"popularity", "popularity_segment", "cooc", "content", "sasrec", "seed_tfidf_lr", FINAL}
    for row in result.rows.values():  # one target per shopper: NDCG@10 <= Recall@10 <= Recall@50
        assert 0.0 <= row["ndcg@10"] <= row["recall@10"] <= row["recall@50"] <= 1.0
    assert result.shoppers == 60


def test_final_ranker_finds_the_known_next_items(result):
    """On the checkerboard the next item is fully determined by the last one."""
    assert result.rows[FINAL]["recall@10"] == 1.0
    assert result.rows[FINAL]["ndcg@10"] > 0.9
    assert result.rows[FINAL]["ndcg@10"] > result.rows["popularity"]["ndcg@10"]
    assert "logistic" in result.choices[FINAL] or "gbdt" in result.choices[FINAL]


def test_models_refit_for_testing_never_see_the_test_targets(board):
    valid, test = leave_last_out(board, 2), leave_last_out(board, 1)
    trained = train(valid, test.history, SMALL)
    assert np.array_equal(trained.models["popularity"].counts, test.history.counts())
    assert trained.models["popularity"].counts.sum() == board.n_events - len(test.evaluated)
    # The tuned SASRec epoch count is reused, not re-searched, on the refit: it trains exactly the
    # epochs validation chose (fewer than the budget here), with no monitor looking at targets.
    tuned = int(re.match(r"epochs=(\d+) ", trained.choices["sasrec"]).group(1))
    refit = trained.models["sasrec"]
    assert tuned < SMALL.sasrec.epochs
    assert (refit.config.epochs, refit.epochs_trained, refit.history) == (tuned, tuned, [])
    cv = trained.combiner.cv
    assert trained.combiner.chosen == max(cv, key=cv.get) and len(cv) >= 2


def test_artefacts_are_versioned_and_round_trip(board, settings):
    trained = train(leave_last_out(board, 1), board, SMALL)
    first = artefacts.save(trained, settings, "board", {"protocol": "leave-last-out"})
    second = artefacts.save(trained, settings, "board", {})
    assert (first.name, second.name) == ("v0001", "v0002")
    assert artefacts.latest(settings, "board") == second
    assert artefacts.manifest(second)["models"] == sorted(trained.models)
    again = artefacts.load(second)
    history = [board.sequences[0][:3]]
    for name, model in trained.models.items():
        assert np.allclose(again.models[name].score(history), model.score(history), atol=1e-5), name
    about = artefacts.manifest(first)
    (first / artefacts.MANIFEST).write_text(json.dumps(about | {"format": 0}))
    with pytest.raises(ModelNotFound, match="shopassist train"):
        artefacts.load(first)


def write_generic(board, folder):
    items = folder / "items.csv"
    items.write_text("item_id,title,description,brand,category,price\n" + "".join(f"{p.id},{p.title},,,,\n" for p in board.products))
    inter = folder / "interactions.csv"
    rows = [f"u{u},{board.products[i].id},{t}\n" for u, (seq, times) in enumerate(zip(board.sequences, board.times)) for i, t in zip(seq, times)]
    inter.write_text("user_id,item_id,timestamp\n" + "".join(rows))
    return items, inter


def test_eval_recommend_json_and_train_commands(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("SHOPASSIST_THREADS", "1")  # the commands' thread budget comes from settings
    items, inter = write_generic(checkerboard(shoppers=20), tmp_path)
    runner = CliRunner()
    got = runner.invoke(app, ["eval", "recommend", "--items", str(items), "--interactions", str(inter), "--json"])
    assert got.exit_code == 0, got.output
    table = json.loads(got.stdout.strip().splitlines()[-1])
    for needle in ("popularity", "cooc", "sasrec", "seed", FINAL):
        assert any(needle in name for name in table), needle
    final = next(row for name, row in table.items() if FINAL in name)
    assert final["ndcg@10"] > table["popularity"]["ndcg@10"]  # the checkerboard's next items are learnable

    got = runner.invoke(app, ["train", "--items", str(items), "--interactions", str(inter), "--store", "board", "--json"])
    assert got.exit_code == 0, got.output
    summary = json.loads(got.stdout.strip().splitlines()[-1])
    assert summary["version"] == "v0001" and summary["store"] == "board"
    assert artefacts.latest(settings, "board").name == "v0001"


@pytest.mark.parametrize(
    ("args", "says"),
    [(["train"], "--store NAME (e.g. --store demo), or --items CSV --interactions CSV"),
     (["eval", "recommend", "--items", "x.csv"], "give both --items and --interactions")],
)  # fmt: skip
def test_commands_say_what_is_missing(args, says, monkeypatch, capsys):
    """As a person runs them: one line on stderr naming the missing options, exit status 1."""
    from shopassist.cli import main

    monkeypatch.setattr(sys, "argv", ["shopassist", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("shopassist: ") and says in err
