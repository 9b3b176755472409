"""Ranking data: reading the generic layout, the splits (nothing from the future in training) and the metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shopassist.ranking.interactions import from_columns, toy
from shopassist.metrics import MetricSums, ndcg_at_k, recall_at_k, target_ranks
from shopassist.ranking.sources import from_catalog, read_generic
from shopassist.ranking.split import leave_last_out, production_fold, time_cutoffs, time_split
from shopassist.errors import CatalogError


# -- the generic layout ---------------------------------------------------------------
def write_generic(folder, interactions: str):
    items = folder / "items.csv"
    items.write_text("item_id,title,description,brand,category,price\nA1,Red mug,,Acme,Kitchen,3.5\nB2,Blue mug,,Acme,Kitchen,\nC3,Tea pot,,,Kitchen,12\n")
    inter = folder / "interactions.csv"
    inter.write_text("user_id,item_id,timestamp\n" + interactions)
    return items, inter


def test_generic_layout_orders_by_time_and_accounts_for_every_row(tmp_path):
    items, inter = write_generic(
        tmp_path,
        "u1,B2,2\nu1,A1,1\nu1,C3,3\nu2,A1,0\nu2,ZZ,1\n,A1,4\nu3,C3,soon\n",
    )
    data, report = read_generic(items, inter)
    assert report.ledger.read == 7 and report.ledger.accepted == 4
    assert dict(report.ledger.rejected) == {"unknown item": 1, "no shopper": 1, "bad timestamp": 1}
    assert report.ledger.read == report.ledger.accepted + sum(report.ledger.rejected.values())
    assert {r.row for r in report.rejections} == {5, 6, 7}  # data rows, header not counted
    seqs = {s: [data.products[i].id for i in seq] for s, seq in zip(data.shoppers, data.sequences)}
    assert seqs == {"u1": ["A1", "B2", "C3"], "u2": ["A1"]}
    assert data.n_items == 3  # C3 and B2 keep codes whoever bought them


def test_equal_timestamps_keep_file_order(tmp_path):
    items, inter = write_generic(tmp_path, "u1,C3,5\nu1,A1,5\nu1,B2,5\n")
    data, _ = read_generic(items, inter)
    assert [data.products[i].id for i in data.sequences[0]] == ["C3", "A1", "B2"]


def test_iso_timestamps_are_read(tmp_path):
    items, inter = write_generic(tmp_path, "u1,C3,2024-01-02T10:00:00Z\nu1,A1,2024-01-01\n")
    data, _ = read_generic(items, inter)
    assert [data.products[i].id for i in data.sequences[0]] == ["A1", "C3"]


def test_missing_column_says_what_to_fix(tmp_path):
    items, inter = write_generic(tmp_path, "")
    inter.write_text("user,item_id,timestamp\nu1,A1,1\n")
    with pytest.raises(CatalogError, match="user_id"):
        read_generic(items, inter)


def test_store_events_become_histories_without_dislikes():
    import pandas as pd

    from shopassist.catalog.models import Product
    from shopassist.catalog.store import Catalog

    products = {p: Product(p, p, p) for p in ("a", "b", "c")}
    events = pd.DataFrame(
        {
            "shopper_id": ["s", "s", "s", "s"],
            "product_id": ["b", "a", "c", "zz"],
            "kind": ["purchase", "view", "dislike", "purchase"],
            "timestamp": pd.to_datetime(["2024-01-02", "2024-01-01", "2024-01-03", "2024-01-04"]),
            "quantity": [1, 1, 1, 1],
            "value": [1.0, None, None, 1.0],
        }
    )
    data, report = from_catalog(Catalog("t", products, {}, events))
    assert [data.products[i].id for i in data.sequences[0]] == ["a", "b"]
    assert report.ledger.accepted == 2 and sum(report.ledger.rejected.values()) == 2


# -- splits -----------------------------------------------------------------------------
def test_leave_last_out_is_the_published_protocol():
    data = toy(["abcde", "ab", "bca"])
    test, valid = leave_last_out(data, 1), leave_last_out(data, 2)
    assert [t.tolist() for t in test.targets] == [[4], [], [0]]  # "ab" has < 3 events: not evaluated
    assert [t.tolist() for t in valid.targets] == [[3], [], [2]]
    assert [h.tolist() for h in valid.history.sequences] == [[0, 1, 2], [], [1]]
    assert test.evaluated.tolist() == [0, 2]


def test_nothing_from_the_future_leaks_into_training():
    rng = np.random.default_rng(0)
    data = toy(["".join(rng.choice(list("abcdefgh"), size=rng.integers(1, 9))) for _ in range(200)])
    for position in (1, 2):
        fold = leave_last_out(data, position)
        for full, full_times, seen, when, target in zip(data.sequences, data.times, fold.history.sequences, fold.history.times, fold.targets):
            cut = max(len(full) - position, 0)
            assert np.array_equal(seen, full[:cut])  # a strict prefix: no event at or after the target
            if len(target):
                assert target.tolist() == [full[cut]]
                assert (when < full_times[cut]).all()  # every kept event happened before the target
        # What a model fits on is exactly the history: the targets' events are not in it.
        assert fold.history.n_events == sum(max(len(s) - position, 0) for s in data.sequences)
    # The validation fold's history is a prefix of the test fold's: tuning never sees test targets.
    valid, test = leave_last_out(data, 2), leave_last_out(data, 1)
    for v, t, tt in zip(valid.history.sequences, test.history.sequences, test.targets):
        assert np.array_equal(v, t[: len(v)])
        if len(tt):
            assert len(t) == len(v) + 1


def test_time_split_keeps_later_events_out_of_the_history():
    products = toy(["abcdef"]).products
    data = from_columns(
        products,
        np.array(["u", "u", "u", "u", "v", "v", "w"]),
        np.array([0, 1, 2, 3, 4, 5, 0]),
        np.array([1, 2, 10, 10, 3, 20, 15]),
    )
    fold = time_split(data, cutoff=10, until=20)
    for seq_times in fold.history.times:
        assert (seq_times < 10).all()
    assert [t.tolist() for t in fold.targets] == [[2, 3], [], []]  # v's basket is at 20 (not before `until`); w has no history
    assert time_cutoffs(data, 0.3, 0.3)[0] <= time_cutoffs(data, 0.3, 0.3)[1]
    assert [t.tolist() for t in production_fold(data, "time").targets] == [[], [5], []]


# -- metrics against hand-computed values ------------------------------------------------
def test_metrics_match_hand_computed_values():
    scores = np.array([0.9, 0.1, 0.5, 0.5, 0.7])
    # order: item0 (0.9), item4 (0.7), item2 (0.5, lower code wins the tie), item3, item1
    assert target_ranks(scores, np.array([3, 0, 1])).tolist() == [3, 0, 4]
    assert recall_at_k(np.array([3]), 3) == 0.0 and recall_at_k(np.array([3]), 4) == 1.0
    assert ndcg_at_k(np.array([0]), 10) == 1.0
    assert ndcg_at_k(np.array([3]), 10) == pytest.approx(1 / math.log2(5))
    assert ndcg_at_k(np.array([3]), 3) == 0.0
    # two targets at ranks 0 and 2: DCG = 1 + 1/log2(4); ideal = 1 + 1/log2(3)
    assert ndcg_at_k(np.array([0, 2]), 10) == pytest.approx((1 + 0.5) / (1 + 1 / math.log2(3)))
    sums = MetricSums()
    sums.add(np.array([scores, scores]), [np.array([3]), np.array([4])])
    means = sums.means()
    assert means["recall@10"] == 1.0
    assert means["ndcg@10"] == pytest.approx((1 / math.log2(5) + 1 / math.log2(3)) / 2)


def test_ties_never_favour_the_target():
    flat = np.zeros(100)
    assert target_ranks(flat, np.array([99])).tolist() == [99]  # a model that knows nothing gets no hit


def test_fast_ranks_match_a_stable_sort():
    """The serving path's integer-key ranks against brute force, ties and negative scores included."""
    from shopassist.ranking.features import ranks_of

    rng = np.random.default_rng(0)
    for trial in range(300):
        n = int(rng.integers(2, 400))
        row = rng.integers(-3, 5, n).astype(np.float32) * 0.5 if trial % 2 else rng.normal(size=n).astype(np.float32)
        row[: trial % 3] = -0.0
        items = rng.choice(n, min(n, int(rng.integers(1, 60))), replace=False)
        order = np.argsort(-row, kind="stable")
        brute = np.empty_like(order)
        brute[order] = np.arange(n)
        assert ranks_of(row, items).tolist() == brute[items].tolist()
