"""Hybrid retrieval on real slices of the demo store and Icecat, with the real model and Chroma."""

import re
from dataclasses import replace
from statistics import median

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from shopassist.catalog.store import Catalog, load_catalog
from shopassist.retrieval import retriever as retriever_module
from shopassist.retrieval.accessories import asks_for, is_accessory
from shopassist.retrieval.retriever import Retriever
from shopassist.errors import EmptyQuery
from tests.conftest import build_retriever


@pytest.fixture(scope="module")
def demo(demo_retriever):
    return demo_retriever


@pytest.fixture(scope="module")
def icecat(shared_data, embedder, tmp_path_factory):
    full = load_catalog(shared_data / "icecat" / "products-1.json.zip", "icecat-slice")
    keep = dict(list(full.products.items())[:1500])
    return build_retriever(Catalog("icecat-slice", keep), tmp_path_factory.mktemp("icecat"), embedder)


def test_hybrid_candidates_carry_both_scores(demo):
    results = demo.search("christmas tree decoration", 5)
    assert len(results) == 5
    assert all({"bm25", "dense"} <= c.scores.keys() for c in results)
    assert all("CHRISTMAS" in c.product.title for c in results[:3])
    assert [c.score for c in results] == sorted((c.score for c in results), reverse=True)


def test_price_and_brand_filters_are_exact_on_icecat(icecat):
    results = icecat.search("toner cartridge under $40, not HP", 50)
    assert results
    assert all(c.product.price is not None and c.product.price <= 40 for c in results)
    assert all((c.product.brand or "").lower() != "hp" for c in results)
    only = icecat.search("Canon only ink", 20)
    assert only and all(c.product.brand.lower() == "canon" for c in only)


def test_a_named_budget_leans_the_results_towards_it(icecat_notebooks):
    """A budget is also the price level of what is wanted: "lenovo notebook under $500" means a
    notebook that $500 buys, not the $135 battery for one that matches the words about as well."""
    query = "lenovo notebook under $500"
    leaned = with_fusion(icecat_notebooks, accessory_penalty=0.0).search(query, 8)  # the lean alone
    plain = with_fusion(icecat_notebooks, budget_weight=0.0, accessory_penalty=0.0).search(query, 8)
    assert all(c.product.price <= 500 and c.product.brand == "Lenovo" for c in leaned + plain)
    assert median(c.product.price for c in leaned[:5]) > median(c.product.price for c in plain[:5])
    assert "spare part" in plain[0].product.title  # what the words alone put first
    assert "Notebook" in leaned[0].product.title and "spare part" not in leaned[0].product.title, leaned[0].product.title


def test_a_bare_product_word_asks_for_the_product_not_its_accessories(icecat_notebooks):
    """"notebook" is a notebook: cases, batteries and filters for notebooks hold the word as well
    (the words alone put a case first) and come after the notebooks; "notebook case" asks for them."""
    words_alone = with_fusion(icecat_notebooks, accessory_penalty=0.0).search("notebook", 5)
    assert any(w in words_alone[0].product.title.lower() for w in ("case", "battery", "spare part", "sleeve")), words_alone[0].product.title
    found = icecat_notebooks.search("notebook", 5)
    accessories = [c.product.title for c in found if is_accessory(c.product.title, asks_for("notebook"))]
    assert not accessories and all("notebook" in c.product.title.lower() for c in found), [c.product.title for c in found]
    cases = icecat_notebooks.search("notebook case", 5)
    assert all("case" in c.product.title.lower() for c in cases), [c.product.title for c in cases]


def with_fusion(retriever: Retriever, **changes) -> Retriever:
    """The same indices, fused otherwise."""
    return Retriever(retriever.catalog, retriever.embedder, retriever.lexical, retriever.dense, replace(retriever.fusion, **changes))


def test_cheap_keeps_the_cheaper_matches(demo):
    every = demo.search("mug", 50)
    cheap = demo.search("cheap mug", 50)
    assert cheap and max(c.product.price for c in cheap) < max(c.product.price for c in every)


def test_constraints_alone_list_what_fits_cheapest_first(demo):
    results = demo.search("under £1", 10)
    prices = [c.product.price for c in results]
    assert prices == sorted(prices) and max(prices) <= 1


@pytest.mark.parametrize("query", ["", "   ", "🎁🎁", "?!"])
def test_nothing_to_search_for_is_a_clear_error(demo, query):
    with pytest.raises(EmptyQuery, match="describe what you are looking for"):
        demo.search(query)


@pytest.mark.parametrize("method", ["BM25", "bm-25", "lexical", ""])
def test_an_unknown_method_is_refused_with_the_valid_ones(demo, method):
    with pytest.raises(ValueError, match="not one of hybrid, bm25, dense"):
        demo.search("red mug", 3, method=method)


@pytest.mark.parametrize("query", ["mug " * 2500, "圣诞装饰", "рюкзак", "🎄 christmas 🎄"])
def test_long_and_non_latin_queries_answer(demo, query):
    results = demo.search(query, 5)
    assert isinstance(results, list) and len(results) <= 5


def through_chroma(retriever: Retriever) -> Retriever:
    """The same parts, with dense scores from Chroma's HNSW and its `where` filter."""
    r = retriever
    return Retriever(r.catalog, r.embedder, r.lexical, r.dense, r.fusion, vector_index=r.vector_index, dense_mode="chroma")


DEMO_QUERIES = ["christmas tree decoration", "red mug", "heart shaped decoration under £3", "bag over £2",
                "vintage kitchen tins between £1 and £5", "candles for a party"]  # fmt: skip
ICECAT_QUERIES = ["toner cartridge under $40, not HP", "Canon only ink", "laptop bag", "usb cable over $5",
                  "wireless mouse, not Logitech", "external hard drive between 50 and 150"]  # fmt: skip


@pytest.mark.parametrize("store", ["demo", "icecat"])
@pytest.mark.parametrize("method", ["dense", "hybrid"])
@pytest.mark.parametrize("filtered_by", ["mask", "where"])
def test_chroma_dense_mode_finds_what_the_in_memory_path_finds(store, method, filtered_by, request, monkeypatch):
    """Two paths to the dense scores: exact in memory with a mask (the default) and Chroma's HNSW,
    filtered by more neighbours and the mask or (when the filters keep few products) by a `where`
    clause. On a catalogue this small HNSW is exact: the same top ids, filters included,
    in the same order — except among products whose scores are near-tied: numpy's BLAS and Chroma's
    distance kernel sum the same 384 products in different orders (~1e-7 apart), and the hybrid
    scores scale the dense ones by the pool's range, so such a tie may fall either way."""
    if filtered_by == "where":
        monkeypatch.setattr(retriever_module, "CHROMA_UNFILTERED_MAX", 0)
    memory = request.getfixturevalue(store)
    chroma = through_chroma(memory)
    asked = []
    query_chroma = chroma.vector_index.query
    monkeypatch.setattr(chroma.vector_index, "query", lambda v, k, where=None: asked.append(where) or query_chroma(v, k, where))
    for query in {"demo": DEMO_QUERIES, "icecat": ICECAT_QUERIES}[store]:
        expected = memory.search(query, 10, method)
        assert expected, query
        assert_same_ranking(chroma.search(query, 10, method), expected, query)
    # Every list has filtered queries; each is filtered the way this case says.
    assert any(asked) == (filtered_by == "where")


def assert_same_ranking(got, expected, query, tie=1e-3):
    """The same products rank by rank, save that products whose scores are within `tie` of each
    other may come in either order; the last such run may reach past the cut, so its members may differ."""
    assert len(got) == len(expected), query
    assert [c.score for c in got] == pytest.approx([c.score for c in expected], abs=10 * tie), query
    runs, start = [], 0
    for i in range(1, len(expected) + 1):
        if i == len(expected) or expected[i - 1].score - expected[i].score > tie:
            runs.append((start, i))
            start = i
    for start, end in runs[:-1]:
        assert {c.product.id for c in got[start:end]} == {c.product.id for c in expected[start:end]}, query


def _random_queries(retriever: Retriever):
    words = sorted({w.lower() for p in retriever.products[:400] for w in re.findall(r"[A-Za-z]{4,}", p.title)})
    brands = sorted({p.brand for p in retriever.products if p.brand}) or ["nobrand"]
    price = st.one_of(
        st.none(),
        st.integers(1, 200).map(lambda n: f"under £{n}"),
        st.integers(1, 200).map(lambda n: f"over ${n}"),
        st.tuples(st.integers(1, 100), st.integers(1, 300)).map(lambda t: f"between {t[0]} and {t[1]}"),
        st.integers(1, 3000).map(lambda n: f"{n}元以下"),
    )
    brand = st.one_of(st.none(), st.sampled_from(brands).map(lambda b: f"not {b}"), st.sampled_from(brands).map(lambda b: f"no {b}"))
    return st.tuples(st.lists(st.sampled_from(words), min_size=1, max_size=3), price, brand).map(
        lambda t: ", ".join(x for x in (" ".join(t[0]), t[1], t[2]) if x)
    )


def _check_filters(retriever: Retriever, query: str):
    parsed = retriever.parse(query)
    if parsed.is_empty:  # "please", "🎁": nothing to search for is said, never answered with products
        with pytest.raises(EmptyQuery):
            retriever.search(parsed, 30)
        return
    for c in retriever.search(parsed, 30):
        p = c.product
        if parsed.max_price is not None:
            assert p.price is not None and p.price <= parsed.max_price, (query, p)
        if parsed.min_price is not None:
            assert p.price is not None and p.price >= parsed.min_price, (query, p)
        assert (p.brand or "").lower() not in parsed.exclude_brands, (query, p)


def test_filters_never_violated_on_the_demo_store(demo):
    @hsettings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_random_queries(demo))
    def check(query):
        _check_filters(demo, query)

    check()


def test_filters_never_violated_on_icecat(icecat):
    @hsettings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_random_queries(icecat))
    def check(query):
        _check_filters(icecat, query)

    check()
