"""Every recommendation model passes the same contract, and finds the known answers of a checkerboard."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from shopassist.ranking.interactions import Interactions, toy
from shopassist.ranking.items import ItemEncoder
from shopassist.ranking.models.base import Recommender
from shopassist.ranking.models.popularity import Popularity, SegmentPopularity
from shopassist.ranking.models.sasrec import SASRec, SASRecConfig
from shopassist.ranking.models.seed import SeedTfidfLogistic
from shopassist.ranking.models.similarity import ContentSimilarity, Cooccurrence
from shopassist.ranking.pipeline import evaluate_model
from shopassist.ranking.segments import Segments
from shopassist.ranking.split import leave_last_out
from shopassist.ranking.threads import compute_threads


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    with compute_threads(1):  # tiny models: extra threads only spin
        yield


TEA, TOOLS = "abcde", "vwxyz"  # two tastes that never mix: the checkerboard


def checkerboard(shoppers: int = 40, length: int = 7) -> Interactions:
    """Half the shoppers walk the TEA letters in cyclic order, half the TOOLS letters: who likes what,
    and what comes next, is known exactly."""
    histories = []
    for s in range(shoppers):
        group = TEA if s % 2 == 0 else TOOLS
        start = (s // 2) % 5
        histories.append("".join(group[(start + k) % 5] for k in range(length)))
    return toy(histories)


@pytest.fixture(scope="module")
def board() -> Interactions:
    return checkerboard()


@pytest.fixture(scope="module")
def encoder(board) -> ItemEncoder:
    return ItemEncoder.fit(board.products)


MODELS = {
    "popularity": lambda enc: Popularity(),
    "popularity_segment": lambda enc: SegmentPopularity(Segments(enc, k=2)),
    "cooc": lambda enc: Cooccurrence(last=3, decay=0.7),
    "cooc_window": lambda enc: Cooccurrence(window=2, last=2, decay=1.0),
    "content": lambda enc: ContentSimilarity(enc),
    "sasrec": lambda enc: SASRec(SASRecConfig(dim=16, epochs=60, dropout=0.1, lr=5e-3)),
    "seed": lambda enc: SeedTfidfLogistic(epochs=40, lr=0.05),
}


@pytest.fixture(scope="module")
def fitted(board, encoder) -> dict[str, Recommender]:
    return {name: make(encoder).fit(board) for name, make in MODELS.items()}


def code(board: Interactions, letter: str) -> int:
    return board.item_index[letter]


@pytest.mark.parametrize("name", MODELS)
def test_contract(name, fitted, board):
    model = fitted[name]
    assert isinstance(model, Recommender)
    histories = [np.array([code(board, "a"), code(board, "b")]), np.zeros(0, np.int64)]
    scores = model.score(histories)
    assert scores.shape == (2, board.n_items) and scores.dtype == np.float32
    assert np.isfinite(scores).all()  # an empty history (a new shopper) scores too
    assert np.array_equal(scores, model.score(histories))  # deterministic
    again = pickle.loads(pickle.dumps(model))  # what `shopassist train` saves is what serving loads
    assert np.allclose(again.score(histories), scores, atol=1e-5)


@pytest.mark.parametrize("name", ["popularity_segment", "cooc", "cooc_window"])
def test_learns_who_likes_what(name, fitted, board):
    """After two tea items, every other tea item outranks every tool (and vice versa)."""
    model = fitted[name]
    for group, other in ((TEA, TOOLS), (TOOLS, TEA)):
        history = np.array([code(board, group[0]), code(board, group[1])])
        s = model.score([history])[0]
        same = [s[code(board, c)] for c in group[2:]]
        assert min(same) > max(s[code(board, c)] for c in other), name


@pytest.mark.parametrize("name", ["sasrec", "seed"])
def test_learns_what_comes_next(name, fitted, board):
    """Next-item models know the cycle: after b, c comes d; after w, x comes y."""
    for history, expected in (("bc", "d"), ("wx", "y")):
        s = fitted[name].score([np.array([code(board, c) for c in history])])[0]
        assert int(s.argmax()) == code(board, expected), name


def test_popularity_counts_events_and_segments_shrink_towards_it():
    data = toy(["aab", "ab", "cd"])
    pop = Popularity().fit(data)
    assert pop.counts.tolist() == [3, 2, 1, 1]
    seg = SegmentPopularity(Segments(ItemEncoder.fit(data.products), k=2)).fit(data)
    cold = seg.score([np.zeros(0, np.int64)])[0]
    assert int(cold.argmax()) == 0  # no segment for a new shopper: overall popularity


def test_content_ranks_a_product_nobody_bought():
    from shopassist.catalog.models import Product

    products = (Product("1", "red tea cup", "Red tea cup"), Product("2", "blue tea cup", "Blue tea cup"), Product("3", "steel hammer", "Steel hammer"))
    data = Interactions(products, ("s",), (np.array([0]),), (np.array([0]),))
    model = ContentSimilarity(ItemEncoder.fit(products)).fit(data)
    s = model.score([np.array([0])])[0]
    assert s[1] > s[2]  # "blue tea cup" has no events but is like the red one
    fresh, _ = model.encoder.encode([Product("9", "green tea cup", "Green tea cup")])
    assert model.score_products([np.array([0])], fresh)[0, 0] > 0


def test_sasrec_early_stopping_keeps_the_best_epoch(board):
    fold = leave_last_out(board, 1)
    rows = fold.evaluated
    histories, targets = [fold.history.sequences[u] for u in rows], [fold.targets[u] for u in rows]
    model = SASRec(SASRecConfig(dim=16, epochs=30, dropout=0.1, lr=5e-3)).fit(
        fold.history, monitor=lambda m: evaluate_model(m, histories, targets)["ndcg@10"], every=5, patience=2
    )
    best_epoch, best = max(model.history, key=lambda h: h[1])
    assert model.epochs_trained == best_epoch
    assert evaluate_model(model, histories, targets)["ndcg@10"] == pytest.approx(best)
    assert best > 0.9  # the cycle is learnable


def test_segments_separate_the_two_tastes(board, encoder):
    segments = Segments(encoder, k=2).fit(board)
    labels = segments.assign(board.sequences)
    assert set(labels[0::2]).isdisjoint(set(labels[1::2]))
    assert segments.assign([np.zeros(0, np.int64)]).tolist() == [-1]


def test_seed_documents_match_scikit_learns_tfidf(fitted, board):
    """The serving path computes TF-IDF by hand; scikit-learn's transformer is the reference."""
    from shopassist.ranking.models.base import recency_matrix

    seed = fitted["seed"]
    histories = [board.sequences[0][:4], board.sequences[1], np.zeros(0, np.int64)]
    reference = seed.tfidf.transform(recency_matrix(histories, board.n_items, seed.last, 1.0) @ seed.item_words)
    assert np.allclose(seed.documents(histories).toarray(), reference.toarray(), atol=1e-5)


@pytest.mark.parametrize("name", ["cooc", "cooc_window", "content", "seed"])
def test_serving_one_shopper_matches_the_batch_path(name, fitted, board):
    """Models read a single history row by row (fast) and many at once with sparse products."""
    model = fitted[name]
    histories = [board.sequences[s][: 2 + s % 5] for s in range(12)] + [np.zeros(0, np.int64)]
    batch = model.score(histories)  # more than SERVING_BATCH histories: the sparse path
    one_by_one = np.vstack([model.score([h]) for h in histories])
    assert np.allclose(batch, one_by_one, atol=1e-5)
