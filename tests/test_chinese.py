"""Chinese shoppers: a Chinese catalogue searched in Chinese (segmented BM25), and Chinese questions
over an English catalogue (translated with CC-CEDICT), with real stores, models and dictionary."""

import pytest

from shopassist.assistant.core import Assistant
from shopassist.assistant.grounding import Grounding, SentenceFilter
from shopassist.catalog.models import Product
from shopassist.catalog.money import money
from shopassist.catalog.source_spec import SourceSpec
from shopassist.catalog.store import load_catalog
from shopassist.ranking.fakes import RetrievalOrderRanker
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


# Chinese answers stay grounded: the same verifier, with Chinese sentences, ¥/元 prices and brands.
SPEAKER = Product("1993197", "索尼 MBS-100 便携蓝牙音箱 黑色", "索尼 MBS-100 便携蓝牙音箱 黑色", brand="Sony", price=40.95, currency="CNY",
                  description="无线蓝牙连接，随身携带")
TORCH = Product("888313", "飞利浦 SFL3461 防水手电筒 小号", "飞利浦 SFL3461 防水手电筒 小号", brand="Philips", price=17.95, currency="CNY",
                description="橡胶外壳")


@pytest.mark.parametrize(
    "sentence, reason",
    [
        ("[1]现在只要¥19.90，很划算。", "price"),
        ("[1]只卖20元。", "price"),
        ("[2]折后价 9.99 元。", "price"),
        ("[1]售价人民币99。", "price"),
        ("[1]只要二十元！", "price"),
        ("[2]只要￥5。", "price"),
        ("我们还有华为Mate 60手机，同样值得考虑。", "brand"),
        ("[1]和小米手环都很受欢迎。", "brand"),
        ("[1]外加《哈利波特》魔杖，孩子一定喜欢。", "name"),
        ("[2]和「龙猫」抱枕是绝配。", "name"),
        ("[1]搭配PlayStation 5更好玩。", "name"),
        ("[1]的型号ABCD99X也很好。", "id"),
        ("[1]是不锈钢的，非常结实。", "feature"),
        ("[2]是红色的。", "feature"),
        ("[1]比[2]便宜。", "comparison"),
        ("[1]比[2]轻。", "comparison"),
        ("[3]也不错。", "number"),
    ],
)
def test_an_invented_product_or_price_in_a_chinese_sentence_is_dropped(sentence, reason):
    grounding = Grounding([SPEAKER, TORCH], catalogue_ids=frozenset({"1993197", "888313", "abcd99x"}), known_brands=frozenset({"sony", "philips", "huawei"}))
    assert grounding.judge(sentence) == (None, reason)


@pytest.mark.parametrize(
    "sentence, shown",
    [
        ("[1]只要¥40.95，随身带着听歌很方便。", "索尼 MBS-100 便携蓝牙音箱 黑色只要¥40.95，随身带着听歌很方便。"),
        ("[2]售价17.95元，防水，夜里出门正合适。", "飞利浦 SFL3461 防水手电筒 小号售价17.95元，防水，夜里出门正合适。"),
        ("[2]比[1]便宜，是索尼之外的另一个选择。", "飞利浦 SFL3461 防水手电筒 小号比索尼 MBS-100 便携蓝牙音箱 黑色便宜，是索尼之外的另一个选择。"),
        ("[1]是黑色的蓝牙音箱，比较适合户外。", "索尼 MBS-100 便携蓝牙音箱 黑色是黑色的蓝牙音箱，比较适合户外。"),
    ],
)
def test_a_true_chinese_sentence_is_shown_with_its_product_named(sentence, shown):
    assert Grounding([SPEAKER, TORCH]).check(sentence) == shown


def test_a_chinese_answer_is_split_on_chinese_full_stops_and_each_sentence_checked():
    sentences = SentenceFilter(Grounding([SPEAKER, TORCH]))
    kept = [*sentences.feed("[1]很适合您。[1]今天只要¥1！[2]也不错"), *sentences.feed("，夜跑时很实用？"), *sentences.flush()]
    assert kept == ["索尼 MBS-100 便携蓝牙音箱 黑色很适合您。", "飞利浦 SFL3461 防水手电筒 小号也不错，夜跑时很实用？"]
    assert sentences.reasons == {"price": 1}


@pytest.fixture(scope="module")
def chinese_assistant(chinese_store):
    """The Chinese catalogue's assistant with no language model: every answer is a template."""
    return Assistant(chinese_store, RetrievalOrderRanker(), None)


def test_chinese_templates_read_as_chinese_and_state_only_catalogue_facts(chinese_assistant):
    found = chinese_assistant.ask("new", "蓝牙音箱")
    assert found.kind == "fallback" and found.text.startswith("按“蓝牙音箱”为您找到这几款：")
    compared = chinese_assistant.ask("new", "哪个更便宜，第一个还是第二个？", session=found.session)
    first, second = found.suggestions[0].product, found.suggestions[1].product
    low, high = sorted((first, second), key=lambda p: p.price)
    assert compared.text == f"{low.display_title}（{money(low.price, low.currency)}）比{high.display_title}（{money(high.price, high.currency)}）便宜{money(high.price - low.price, low.currency)}。"
    cart = chinese_assistant.ask("new", "把第二个加入购物车", session=found.session)
    assert cart.kind == "cart" and cart.text == f"已把{second.display_title}（{money(second.price, second.currency)}）加入购物车。"
    missing = chinese_assistant.ask("new", "有华为的吗？")
    assert missing.kind == "not_carried" and missing.text.startswith("抱歉，店里没有华为的商品")
    asked = chinese_assistant.ask("new", "手电筒")
    waterproof = chinese_assistant.ask("new", "第一个防水吗？", session=asked.session)
    assert "防水" in waterproof.text and "目录中写着" in waterproof.text  # the Chinese catalogue says 防水, in Chinese


def test_a_chinese_catalogue_gets_a_chinese_reading_embedder_by_default_and_keeps_it(tmp_path):
    """No --embedder: a new Chinese store is embedded with multilingual-e5-small (MiniLM reads
    English only), its manifest says so, and serving and the next reindex use the same model."""
    from shopassist.catalog.store import built_with
    from shopassist.settings import Settings

    settings = Settings.load(home=tmp_path / "home")
    assert settings.embedder is None
    spec = SourceSpec("zh-shop", write_csv(tmp_path / "shop.csv"))
    build_store(settings, spec, None)
    assert built_with(settings.store_dir("zh-shop")) == "multilingual-e5-small"
    retriever = open_retriever(settings, "zh-shop")
    assert retriever.embedder.name == "multilingual-e5-small" and retriever.search("咖啡机", k=3)
    _, again = build_store(settings, spec, None)
    assert (again.added, again.updated) == (0, 0)  # the same model: nothing re-embedded
