"""The rankers the assistant calls: known and new shoppers, new products, reasons, session feedback."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from shopassist.catalog.models import Event, Product
from shopassist.catalog.store import Catalog
from shopassist.ranking import artefacts, load_ranker
from shopassist.ranking.contract import RankContext, Ranker
from shopassist.ranking.models.sasrec import SASRecConfig
from shopassist.ranking.pipeline import TrainConfig, train
from shopassist.ranking.ranker import PopularityRanker, TrainedRanker
from shopassist.ranking.sources import from_catalog
from shopassist.ranking.split import production_fold
from shopassist.ranking.threads import compute_threads
from shopassist.retrieval.candidate import Candidate


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    with compute_threads(1):  # tiny models: extra threads only spin
        yield


TEA = ["green tea tin", "tea cup and saucer", "china tea pot", "tea strainer", "tea caddy"]
TOOLS = ["claw hammer", "wood saw", "steel chisel", "tape measure", "spirit level"]
NEW = "tea cosy"  # in the catalogue, never bought: a cold product
SMALL = TrainConfig(sasrec=SASRecConfig(dim=16, epochs=20, dropout=0.1, lr=5e-3), segments=2, combiners=("logistic C=1",))


def shop() -> Catalog:
    """A real Catalog with a checkerboard of events: even shoppers walk the tea items, odd ones the tools."""
    titles = TEA + TOOLS + [NEW]
    products = {f"p{i}": Product(f"p{i}", t.upper(), t.title(), price=2.0 + i) for i, t in enumerate(titles)}
    rows, start = [], datetime(2024, 1, 1)
    for s in range(40):
        group = range(0, 5) if s % 2 == 0 else range(5, 10)
        for k in range(4):  # 4 of the 5 items of their taste: the fifth is the one to suggest
            item = list(group)[(s // 2 + k) % 5]
            rows.append((f"s{s}", f"p{item}", "purchase", start + timedelta(days=k, hours=s), 1, 1.0))
    events = pd.DataFrame(rows, columns=["shopper_id", "product_id", "kind", "timestamp", "quantity", "value"])
    return Catalog("board", products, {}, events)


@pytest.fixture(scope="module")
def store() -> Catalog:
    return shop()


@pytest.fixture(scope="module")
def trained(store):
    data, _ = from_catalog(store)
    return train(production_fold(data, "leave-last-out"), data, SMALL)


@pytest.fixture(scope="module")
def ranker(trained, store) -> TrainedRanker:
    return TrainedRanker(trained, store)


def everything(store: Catalog, score: float = 1.0) -> list[Candidate]:
    return [Candidate(p, score, {"dense": score}) for p in store.products.values()]


def group_of(product: Product) -> str:
    return "tea" if product.display_title.lower() in TEA + [NEW] else "tools"


def event(pid: str, kind: str) -> Event:
    return Event("s0", pid, kind, datetime.now(timezone.utc))


def test_both_rankers_keep_the_contract(ranker, store):
    for r in (ranker, PopularityRanker(store)):
        assert isinstance(r, Ranker)
        out = r.rank("s0", everything(store))
        assert sorted(s.product.id for s in out) == sorted(store.products)
        assert all(s.reason and np.isfinite(s.score) for s in out)
        assert all(isinstance(v, float) for s in out for v in s.signals.values())
        assert [s.score for s in out] == sorted((s.score for s in out), reverse=True)
        assert r.rank("s0", []) == []


def test_a_known_shopper_gets_their_own_taste_with_reasons_from_their_history(ranker, store):
    for shopper, taste in (("s0", "tea"), ("s1", "tools")):
        out = ranker.rank(shopper, everything(store))
        assert {group_of(s.product) for s in out[:4]} == {taste}, [s.product.display_title for s in out[:4]]
        history = {store.products[e.product_id].display_title for e in store.shopper_events.of(shopper)}
        new_to_them = next(s for s in out if s.product.display_title not in history)
        assert group_of(new_to_them.product) == taste
        assert any(t in new_to_them.reason for t in history), new_to_them.reason
        again = next(s for s in out if s.product.display_title in history)
        assert again.reason == "you bought this before"


def test_history_index_matches_the_catalogue(ranker, store):
    """The ranker's per-shopper index against brute force (ShopperEvents.of)."""
    for shopper in ("s0", "s7", "s39"):
        codes, kinds = ranker.item_histories.stored(shopper)
        assert [ranker.trained.item_ids[c] for c in codes] == [e.product_id for e in store.shopper_events.of(shopper)]
        assert list(kinds) == [e.kind for e in store.shopper_events.of(shopper)]


@pytest.mark.parametrize("shopper", [None, "nobody-we-know"])
def test_cold_start_shoppers_get_popularity_and_relevance(ranker, store, shopper):
    out = ranker.rank(shopper, everything(store))
    assert len(out) == len(store.products) and all(s.reason for s in out)
    assert out[-1].product.display_title.lower() == NEW  # nobody bought it: least popular
    # Query relevance still leads for someone we know nothing about.
    cands = everything(store)
    cands[3] = Candidate(cands[3].product, 5.0, {"dense": 5.0})
    assert ranker.rank(shopper, cands)[0].product.id == cands[3].product.id


def test_a_product_nobody_bought_is_ranked_through_its_content(ranker, store):
    out = ranker.rank("s0", everything(store))
    new = next(s for s in out if s.product.display_title.lower() == NEW)
    assert np.isfinite(new.score) and new.signals.get("content", 0) > 0
    tools = [s.score for s in out if group_of(s.product) == "tools"]
    assert new.score > min(tools)  # a tea lover sees the new tea cosy above some tools


def test_a_product_newer_than_the_models_is_still_rankable(ranker, store):
    fresh = Product("p99", "TEA INFUSER", "Tea Infuser", price=3.0)
    out = ranker.rank("s0", [*everything(store), Candidate(fresh, 1.0)])
    got = next(s for s in out if s.product.id == "p99")
    assert np.isfinite(got.score) and got.reason


def test_constraints_appear_in_reasons(ranker, store):
    out = ranker.rank("s0", everything(store), RankContext(constraints=("under £10",)))
    assert all("matches 'under £10'" in s.reason for s in out)


def test_a_dislike_drops_the_product_and_pushes_similar_ones_down(ranker, store):
    cands = everything(store)
    before = {s.product.id: s.score for s in ranker.rank("s1", cands)}
    disliked = next(p for p in store.products.values() if p.display_title.lower() == "tea cup and saucer")
    after = ranker.rank("s1", cands, RankContext(recent=(event(disliked.id, "dislike"),)))
    assert disliked.id not in {s.product.id for s in after}
    teapot = next(s for s in after if s.product.display_title.lower() == "china tea pot")
    assert teapot.signals["dislike_penalty"] > 0
    hammer = next(s for s in after if s.product.display_title.lower() == "claw hammer")
    assert hammer.signals["dislike_penalty"] == 0
    assert teapot.score < before[teapot.product.id]


def test_a_cart_add_is_a_strong_positive(ranker, store):
    """A shopper we know nothing about adds a hammer to the cart: tools come first, and say why."""
    hammer = next(p for p in store.products.values() if p.display_title.lower() == "claw hammer")
    out = ranker.rank(None, everything(store), RankContext(recent=(event(hammer.id, "cart"),)))
    top = [s for s in out if s.product.id != hammer.id][:3]
    assert {group_of(s.product) for s in top} == {"tools"}
    assert any("in your cart" in s.reason for s in top), [s.reason for s in top]


def test_too_little_history_is_a_clear_error():
    from shopassist.ranking.interactions import toy
    from shopassist.errors import NotEnoughHistory

    data = toy(["abc", "ab"])
    with pytest.raises(NotEnoughHistory, match="returning shoppers"):
        train(production_fold(data, "leave-last-out"), data, SMALL)


def test_load_ranker_falls_back_until_trained_then_loads_the_latest(settings, store, trained):
    before = load_ranker(settings, "board", store)
    assert before.describe().startswith("untrained")
    assert before.rank(None, everything(store))[0].reason
    artefacts.save(trained, settings, "board", {})
    after = load_ranker(settings, "board", store)
    assert after.describe().startswith("trained v0001")
    assert {group_of(s.product) for s in after.rank("s0", everything(store))[:4]} == {"tea"}


def test_on_real_demo_store_events(retail_slice):
    """A slice of the real Online Retail store: a returning customer's suggestions cite their purchases."""
    from shopassist.catalog.store import load_catalog

    real = load_catalog(retail_slice, name="demo")
    data, report = from_catalog(real)
    assert report.ledger.read == report.ledger.accepted + sum(report.ledger.rejected.values())
    config = TrainConfig(sasrec=SASRecConfig(dim=16, epochs=3), segments=4, combiners=("logistic C=1",))
    ranker = TrainedRanker(train(production_fold(data, "leave-last-out"), data, config), real)  # the slice spans days
    shopper = max(real.shoppers, key=lambda s: len(ranker.item_histories.stored(s)[0]))
    bought = {real.products[e.product_id].display_title for e in real.shopper_events.of(shopper)}
    out = ranker.rank(shopper, [Candidate(p, 1.0) for p in list(real.products.values())[:300]])
    assert len(out) == 300 and all(s.reason for s in out)
    assert any(t[:20] in s.reason for s in out[:20] for t in bought), [s.reason for s in out[:5]]
