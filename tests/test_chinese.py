"""Chinese shoppers: a Chinese catalogue searched in Chinese (segmented BM25), and Chinese questions
over an English catalogue (translated with CC-CEDICT), with real stores, models and dictionary."""

import pytest

from shopassist.catalog.source_spec import SourceSpec
from shopassist.catalog.store import load_catalog
from shopassist.retrieval.cedict import Cedict
from shopassist.retrieval.factory import open_retriever
from shopassist.retrieval.indexing import build_store
from shopassist.retrieval.lexical import LexicalIndex
from shopassist.retrieval.retriever import Retriever
from shopassist.retrieval.translate import QueryTranslator
from tests.chinese_catalogue import write_csv


@pytest.fixture(scope="module")
def chinese_store(tmp_path_factory, embedder):
    """The hand-translated Chinese catalogue, built and opened as `shopassist reindex` would."""
    from shopassist.settings import Settings

    folder = tmp_path_factory.mktemp("zh")
    settings = Settings.load(home=folder / "home")
    build_store(settings, SourceSpec("zh-shop", write_csv(folder / "shop.csv")), embedder)
    return open_retriever(settings, "zh-shop", embedder)


@pytest.fixture(scope="module")
def english_store(products_csv, tmp_path_factory, embedder):
    """300 real demo-store products (English titles), built and opened as `shopassist reindex` would."""
    from shopassist.settings import Settings

    settings = Settings.load(home=tmp_path_factory.mktemp("en") / "home")
    build_store(settings, SourceSpec("shop", products_csv), embedder)
    return open_retriever(settings, "shop", embedder)


@pytest.fixture(scope="module")
def icecat_translator(shared_data):
    """The real dictionary, choosing senses by the words of 2,000 real Icecat products."""
    full = load_catalog(shared_data / "icecat" / "products-1.json.zip", "icecat-slice")
    lexical = LexicalIndex.build(list(full.products.values())[:2000])
    return QueryTranslator(Cedict(), lexical.document_frequencies)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("蓝牙音箱", {"1993197"}),
        ("无线鼠标", {"2409472"}),
        ("游戏鼠标", {"4706452", "1929829"}),
        ("充电宝", {"78314303", "78849451"}),
        ("手机壳", {"77944554", "77941190"}),
        ("咖啡机", {"3875518", "79583158"}),
        ("无线路由器", {"3610328", "2137918"}),
        ("联想笔记本电脑", {"78800060", "77913968", "77938810"}),
        ("双肩背包", {"3539039", "77193706"}),
        ("智能手表", {"77773285"}),
        ("投影仪灯泡", {"1526736"}),
        ("索尼的电池", {"128103"}),
    ],
)
def test_chinese_queries_find_their_products_in_a_chinese_catalogue(chinese_store, query, expected):
    assert {c.product.id for c in chinese_store.search(query, len(expected), method="bm25")} == expected
    # Hybrid leads with one of them too; below it, the English-only test embedder's vectors for
    # Chinese text are noise (a Chinese shop would run multilingual-e5-small).
    assert chinese_store.search(query, 1)[0].product.id in expected


def test_a_chinese_catalogue_is_indexed_in_words_not_phrases(chinese_store):
    # 鼠标 (mouse) appears only inside longer titles' phrases (无线鼠标, 游戏鼠标, 光电鼠标…):
    # unsegmented, no product would hold it as a token.
    assert chinese_store.lexical.document_frequencies("鼠标") == [5]
    assert chinese_store.translator is None  # a Chinese catalogue is searched in Chinese


def test_chinese_price_and_brand_constraints_filter_a_chinese_catalogue(chinese_store):
    cheap = chinese_store.search("充电宝 100元以下", 5)
    assert cheap[0].product.id == "78849451"  # the 106.95 power bank is left out
    assert all(c.product.price <= 100 for c in cheap)
    without_philips = chinese_store.search("不要飞利浦的手电筒", 5)
    assert without_philips and all(c.product.brand != "Philips" for c in without_philips)


def test_a_segmented_index_scores_the_same_after_save_and_load(chinese_store, tmp_path):
    chinese_store.lexical.save(tmp_path / "bm25", "f")
    loaded = LexicalIndex.load(tmp_path / "bm25", "f")
    assert loaded.segmenter is not None
    assert (loaded.scores("游戏鼠标") == chinese_store.lexical.scores("游戏鼠标")).all()


@pytest.mark.parametrize(
    "query, words",
    [
        ("蓝牙音箱", {"bluetooth", "speaker"}),
        ("笔记本电脑包", {"bag"}),  # 包: the noun "bag", not the verb "to include"
        ("iPhone 11 手机壳", {"iphone", "11", "phone"}),  # model numbers kept as typed
        ("U盘", {"usb", "flash", "drive"}),  # a Latin letter glued to Chinese is part of the word
        ("联想鼠标", {"lenovo", "mouse"}),  # brands in the catalogue's spelling
        ("安卓平板电脑", {"android", "tablet"}),  # 平板电脑 "tablet computer", not 平板 "slab"
    ],
)
def test_translation_keeps_brands_and_models_and_picks_the_shops_sense(icecat_translator, query, words):
    assert words <= set(icecat_translator.translate(query).lower().split())


@pytest.mark.parametrize("chinese, english", [("圣诞装饰", "christmas decoration"), ("红色马克杯", "red mug"), ("蜡烛", "candle")])
def test_an_english_catalogue_answers_a_chinese_question_as_it_answers_the_english_one(english_store, chinese, english):
    result = english_store.run(chinese, 5)
    assert result.translation.lower() == english
    assert [c.product.id for c in result.candidates] == [c.product.id for c in english_store.search(english, 5)]


def test_english_queries_are_not_translated(english_store):
    untranslated = Retriever(english_store.catalog, english_store.embedder, english_store.lexical, english_store.dense)
    result = english_store.run("christmas decoration", 5)
    assert result.translation is None
    assert [c.product.id for c in result.candidates] == [c.product.id for c in untranslated.search("christmas decoration", 5)]


def test_chinese_constraints_still_filter_a_translated_search(english_store):
    result = english_store.run("圣诞装饰 2元以下", 10)
    assert result.query.max_price == 2.0 and result.candidates
    assert all(c.product.price <= 2.0 for c in result.candidates)


def test_eval_search_reports_the_untranslated_hybrid_beside_the_shipped_one(settings, products_csv, tmp_path):
    import csv
    import json

    from typer.testing import CliRunner

    from shopassist.cli import app

    with products_csv.open(encoding="utf-8") as f:
        titles = {row["id"]: row["title"].upper() for row in csv.DictReader(f)}
    wanted = {"圣诞装饰": ("CHRISTMAS", "DECORATION"), "蜡烛": ("CANDLE",), "马克杯": ("MUG",)}
    judged = tmp_path / "judgments-zh.csv"
    with judged.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["query", "docid", "rating"])
        for query, words in wanted.items():
            writer.writerows([query, pid, 3] for pid, title in titles.items() if all(w in title for w in words))
    result = CliRunner().invoke(app, ["--home", str(settings.home), "eval", "search", "--catalog", str(products_csv), "--judgments", str(judged), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout.strip().splitlines()[-1])
    assert scores["hybrid"]["ndcg@10"] > scores["hybrid_untranslated"]["ndcg@10"] + 0.3
