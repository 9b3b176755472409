"""Fuzzing the query parser, the retriever and the catalogue loaders with hypothesis: whatever
comes in, the only exceptions are the project's documented ones."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from shopassist.catalog.store import load_catalog
from shopassist.retrieval.query import Vocabulary, parse_query
from shopassist.errors import CatalogError, EmptyQuery

VOCAB = Vocabulary(frozenset({"sony", "hp", "lenovo", "western digital"}))
TEXT = st.text(st.characters(codec="utf-8"), max_size=3000)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(TEXT)
def test_parser_never_raises(text):
    parsed = parse_query(text, VOCAB)
    assert len(parsed.text) <= 1000
    if parsed.max_price is not None and parsed.min_price is not None:
        assert parsed.min_price <= parsed.max_price


@FUZZ
@given(st.lists(st.sampled_from(["under", "£", "$", "10", "not", "sony", "only", "元", "以下", "不要", "联想", "between", "and", "-", "cheap", "🎁", " "]), max_size=12).map(" ".join))
def test_parser_on_constraint_soup(text):
    parse_query(text, VOCAB)


def test_retriever_answers_or_says_empty(demo_retriever):
    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    @given(TEXT)
    def check(text):
        try:
            assert len(demo_retriever.search(text, 5)) <= 5
        except EmptyQuery:
            pass

    check()


CSV_LIKE = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.lists(st.one_of(st.text(max_size=12), st.sampled_from(["1", "-2", "abc", "", "9.99"])), min_size=1, max_size=5), max_size=8).map(
        lambda rows: ("id,title,price,brand\n" + "\n".join(",".join(r) for r in rows)).encode("utf-8", "surrogatepass")
    ),
)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json", ".parquet", ".json.zip", ".tsv"])
def test_loaders_raise_only_catalog_errors(suffix):
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(CSV_LIKE)
    def check(data):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"fuzz{suffix}"
            path.write_bytes(data)
            try:
                catalog = load_catalog(path)
            except CatalogError:
                return
            assert catalog.report.balanced

    check()
