"""The rule classifier on hand-written positive and negative examples for every label.

The snippets are our own short imitations of policy wording (not copied from any document).
They were written from the label definitions in taxonomy.yaml, as a held-out-like check: the
lexicon weights were not changed to make them pass.
"""

from __future__ import annotations

import pytest

from cbec_policy.classify import classify_document
from cbec_policy.classify.base import Document
from cbec_policy.classify.lexicon import LexiconClassifier
from cbec_policy.classify.taxonomy import load_taxonomy
from cbec_policy.errors import InputError
from cbec_policy.labels import POLICY_TYPES, THEMES


@pytest.fixture(autouse=True)
def _no_saved_model(tmp_path, monkeypatch):
    """classify_document must use the lexicon here, whatever the user has trained."""
    monkeypatch.setenv("CBEC_MODEL_DIR", str(tmp_path / "models"))


@pytest.fixture(scope="module")
def lexicon() -> LexiconClassifier:
    return LexiconClassifier()


# ---------------------------------------------------------------- policy types: one example each

TYPE_EXAMPLES = {
    "tax": (
        "关于调整跨境电商零售出口货物增值税退税办法的通知",
        "对符合条件的跨境电商出口企业，出口货物适用增值税、消费税退税政策；不符合退税条件的，实行免税。",
        None,
    ),
    "supervision": (
        "海关总署关于跨境电子商务企业对企业出口货物申报有关事宜的公告",
        "境内企业通过跨境电商平台开展企业对企业出口的，应当向海关申报并传输电子信息，海关依法实施监管。",
        None,
    ),
    "management": (
        "关于调整跨境电子商务零售进口商品清单的公告",
        "为满足国内消费需求，现将部分商品纳入清单，调整后的清单涵盖若干税则号列，自公布之日起执行。",
        None,
    ),
    "law": (
        "中华人民共和国对外贸易法",
        "本法所称对外贸易，是指货物进出口、技术进出口和国际服务贸易。违反本法规定的，依法承担法律责任。",
        None,
    ),
    "norm": (
        "关于开展跨境电商领域打击侵权假冒专项行动的通知",
        "各地要集中整治跨境电商平台上的侵权假冒商品，依法查处违法行为，及时曝光典型案例。",
        None,
    ),
    "standard": (
        "跨境电子商务 出口商品退货服务要求",
        "本标准规定了跨境电子商务出口商品退货服务的术语和定义、基本要求和服务流程。",
        None,
    ),
    "comprehensive": (
        "关于推动跨境电商高质量发展的若干措施",
        "一、优化通关监管；二、完善税收政策；三、加大金融支持；四、建设海外仓和物流体系；五、加强国际合作。",
        None,
    ),
}


@pytest.mark.parametrize("code", [label.code for label in POLICY_TYPES])
def test_each_type_on_its_own_example(lexicon: LexiconClassifier, code: str) -> None:
    title, text, number = TYPE_EXAMPLES[code]
    result = lexicon.explain(Document(title, text, doc_number=number))
    assert result.policy_type == code
    # the other six examples are negatives for this type
    for other, (other_title, other_text, other_number) in TYPE_EXAMPLES.items():
        if other != code:
            assert lexicon.explain(Document(other_title, other_text, doc_number=other_number)).policy_type != code


def test_doc_number_and_law_title_cues_decide_type(lexicon: LexiconClassifier) -> None:
    # a GB/T number makes a standard even with a title that reads like a norm (…规范)
    standard = lexicon.explain(Document("跨境电子商务 进口商品信息发布规范", doc_number="GB/T 40290-2021"))
    assert standard.policy_type == "standard"
    assert any(item["field"] == "doc_number" for item in standard.evidence["type:standard"])
    law = lexicon.explain(Document("中华人民共和国电子商务法"))
    assert law.policy_type == "law"
    # a "管理办法" is a regulation, not a law, although it ends in 法
    rules = lexicon.explain(Document("支付机构外汇业务管理办法", "支付机构办理外汇业务应当遵守本办法。"))
    assert rules.policy_type != "law"


def test_table1_titles_get_the_papers_type_from_title_issuer_and_number_alone(lexicon: LexiconClassifier) -> None:
    """All 26 Table 1 rows from their metadata alone (no description): 7 税收 7 监管 5 管理 1 1 1 4."""
    from cbec_policy.labels import type_by_zh
    from cbec_policy.reference.loader import load_national_policies

    rows = [p for p in load_national_policies() if p.paper is not None]
    assert len(rows) == 26
    wrong = []
    for policy in rows:
        result = lexicon.explain(Document(policy.title, issuers=policy.issuers, doc_number=policy.doc_number))
        if result.policy_type != type_by_zh(policy.paper.policy_type).code:
            wrong.append(policy.id)
    assert len(wrong) <= 2, wrong  # ≥ 90 % (24 of 26)


# ---------------------------------------------------------------- themes

THEME_EXAMPLES = {
    "tax": "对跨境电商零售进口商品征收关税和进口环节增值税、消费税。",
    "customs": "企业可采用清单核放、汇总申报方式办理通关手续，海关在口岸实施查验。",
    "supervision": "平台企业应当建立商品质量安全追溯制度，配合开展风险防控，落实主体责任。",
    "finance": "支持支付机构为跨境电商企业提供外汇结算服务，便利跨境人民币结算和融资。",
    "services": "支持建设跨境电商物流园区和海外仓，完善综合服务体系，加强人才培训。",
    "market_access": "进一步放宽外资准入限制，缩减外商投资准入负面清单。",
    "international": "与共建一带一路国家开展丝路电商合作，签署双边电子商务合作协议。",
}


@pytest.mark.parametrize("code", [label.code for label in THEMES])
def test_each_theme_positive_and_negative(lexicon: LexiconClassifier, code: str) -> None:
    result = lexicon.explain(Document("", THEME_EXAMPLES[code]))
    assert code in result.themes
    assert result.evidence[f"theme:{code}"]
    # the snippet written for the most distant theme must not carry this one
    negatives = {
        "tax": "international", "customs": "market_access", "supervision": "international",
        "finance": "market_access", "services": "tax", "market_access": "finance", "international": "tax",
    }  # fmt: skip
    other = lexicon.explain(Document("", THEME_EXAMPLES[negatives[code]]))
    assert code not in other.themes


def test_comprehensive_document_spans_many_themes(lexicon: LexiconClassifier) -> None:
    title, text, _ = TYPE_EXAMPLES["comprehensive"]
    result = lexicon.explain(Document(title, text))
    assert {"customs", "tax", "finance", "services", "international"} <= set(result.themes)
    assert result.evidence["type:comprehensive"][0]["field"] == "themes"  # the breadth cue is shown


# ---------------------------------------------------------------- instruments

INSTRUMENT_EXAMPLES = {
    "supply.talent": "鼓励高校开设跨境电商专业，开展从业人员培训，培养复合型人才。",
    "supply.funding": "统筹安排专项资金，对新建跨境电商项目给予补贴和奖励。",
    "supply.technology": "推动大数据、区块链等技术在跨境电商信息化系统中的应用。",
    "supply.infrastructure": "加快物流园区、海外仓等基础设施建设。",
    "supply.public_services": "依托单一窗口建设综合服务平台，提供公共服务。",
    "environment.planning": "指导思想：以高质量发展为主题。发展目标：到2025年形成完善的跨境电商规划体系。",
    "environment.tax_incentive": "对综试区内零售出口货物实行无票免税，企业所得税实行核定征收。",
    "environment.finance": "鼓励金融机构加大信贷投放，扩大出口信用保险覆盖面。",
    "environment.regulation": "企业应当依法办理登记备案，违反监管要求的依法处罚。",
    "environment.strategic": "深化放管服改革，简化办事流程，营造便利化营商环境。",
    "demand.procurement": "通过政府采购方式购买跨境电商公共服务。",
    "demand.trade_control": "正面清单内商品可按限值内交易，超出交易限值的按一般贸易管理。",
    "demand.overseas": "支持企业在境外建设海外营销网络，加快走出去步伐。",
    "demand.pilot": "在试点城市设立跨境电子商务综合试验区，开展先行先试。",
    "demand.outsourcing": "鼓励企业将仓储配送、营销推广等环节实行服务外包。",
    "demand.market_expansion": "支持企业开拓国际市场，推进内外贸一体化，组织参加境外展会。",
}


def test_every_instrument_has_an_example() -> None:
    assert set(INSTRUMENT_EXAMPLES) == set(load_taxonomy().instrument_codes())


@pytest.mark.parametrize("code", sorted(INSTRUMENT_EXAMPLES))
def test_each_instrument_positive_and_negative(lexicon: LexiconClassifier, code: str) -> None:
    result = lexicon.explain(Document("", INSTRUMENT_EXAMPLES[code]))
    assert code in result.instruments
    side = code.split(".")[0]
    assert side in result.instrument_sides()
    # an example of another side is a negative
    other_code = next(c for c in sorted(INSTRUMENT_EXAMPLES) if not c.startswith(side))
    if code == "environment.tax_incentive":
        other_code = "supply.talent"
    assert code not in lexicon.explain(Document("", INSTRUMENT_EXAMPLES[other_code])).instruments


# ---------------------------------------------------------------- relevance and distractors

CBEC_POSITIVES = [
    ("关于支持跨境电商海外仓发展的通知", "鼓励企业建设海外仓，提升跨境电商出口履约能力。"),
    ("", "网购保税进口商品应当在海关特殊监管区域内开展，适用跨境电子商务零售进口政策。"),
    ("关于开展跨境电子商务企业对企业出口监管试点的公告", "企业可选择9710或9810监管方式申报。"),
]

CBEC_NEGATIVES = [
    # school notice
    ("关于做好2024年秋季学期开学工作的通知", "各中小学要做好校园安全检查，落实教师值班制度，确保学生平安返校。"),
    # tender for office furniture
    ("办公家具采购项目招标公告", "本项目采用公开招标方式，投标人须具备独立法人资格，投标截止时间另行通知。"),
    # weather bulletin
    ("暴雨蓝色预警", "预计未来24小时本市大部分地区有大到暴雨，局地伴有雷电和短时强降水，请注意防范。"),
    # domestic e-commerce only
    ("关于推进电子商务进农村综合示范的通知", "支持农产品网络零售和直播带货，完善县乡村三级物流配送体系。"),
    # "cross-border" but not e-commerce
    ("关于加强跨境河流水资源保护的意见", "加强流域水质监测，推进上下游协同治理。"),
]


@pytest.mark.parametrize(("title", "text"), CBEC_POSITIVES)
def test_relevance_positive(title: str, text: str) -> None:
    result = classify_document(title, text)
    assert result.is_cbec
    assert result.evidence["is_cbec"]


@pytest.mark.parametrize(("title", "text"), CBEC_NEGATIVES)
def test_relevance_negative_distractors(title: str, text: str) -> None:
    result = classify_document(title, text)
    assert not result.is_cbec
    assert result.is_cbec_score < load_taxonomy().scoring.relevance.threshold


def test_weather_and_school_distractors_get_no_theme() -> None:
    for title, text in CBEC_NEGATIVES[:3]:
        assert classify_document(title, text).themes == []


# ---------------------------------------------------------------- evidence and bad input


def test_evidence_spans_point_at_the_terms(lexicon: LexiconClassifier) -> None:
    title = "关于跨境电子商务零售进口税收政策的通知"
    text = "跨境电商零售进口商品按货物征收关税和进口环节增值税、消费税，单次交易限值为人民币５０００元。"
    result = lexicon.explain(Document(title, text))
    fields = {"title": title, "text": text}
    checked = 0
    for items in result.evidence.values():
        for item in items:
            if item["field"] in fields and "cue" not in item:
                span = fields[item["field"]][item["start"] : item["end"]]
                assert span == item["term"]
                checked += 1
    assert checked > 10
    # 跨境电子商务 in the title is one relevance hit, not also a separate 电子商务 hit
    title_terms = [item["term"] for item in result.evidence["is_cbec"] if item["field"] == "title"]
    assert "跨境电子商务" in title_terms and "电子商务" not in title_terms


def test_full_width_digits_match_customs_codes(lexicon: LexiconClassifier) -> None:
    text = "企业以“９６１０”监管方式申报出口。"
    items = lexicon.explain(Document("", text)).evidence["theme:customs"]
    hit = next(item for item in items if item["term"] == "9610")
    assert text[hit["start"] : hit["end"]] == "９６１０"


@pytest.mark.parametrize(
    ("title", "text", "reason"),
    [
        ("", "", "empty text"),
        ("   ", "\n\t", "empty text"),
        (
            "Notice on cross-border e-commerce",
            "Retail imports are taxed at 70 percent of the statutory rate.",
            "not Chinese",
        ),
        (
            "越境ECの税制について",
            "越境電子商取引の小売輸入については、関税がかかりません。ご注意ください。",
            "not Chinese",
        ),
    ],
)
def test_bad_input_is_refused_with_a_reason(title: str, text: str, reason: str) -> None:
    with pytest.raises(InputError) as error:
        classify_document(title, text)
    assert reason in str(error.value)


def test_classify_document_contract() -> None:
    result = classify_document(
        "财政部 海关总署 国家税务总局关于跨境电子商务零售进口税收政策的通知",
        "跨境电子商务零售进口商品按照货物征收关税和进口环节增值税、消费税。",
        issuers=["财政部", "海关总署", "国家税务总局"],
        doc_number="财关税〔2016〕18号",
    )
    assert result.is_cbec and result.is_cbec_score > 0.9
    assert result.policy_type == "tax" and 0.5 < result.policy_type_score <= 1.0
    assert {"tax", "customs"} <= set(result.themes)
    assert isinstance(result.instruments, list)
    assert set(result.scores) >= {"type", "themes", "instruments", "is_cbec"}
    assert all({"term", "start", "end", "weight"} <= set(item) for items in result.evidence.values() for item in items)
    assert result.method == "lexicon"  # no model saved in this test's model folder


def test_cited_document_numbers_are_not_content(lexicon: LexiconClassifier) -> None:
    # 财关税〔2018〕49号 contains 关税 and 海关总署公告 contains 海关: a citation, not the subject
    text = "为支持本市跨境电子商务发展，参照财关税〔2018〕49号和海关总署公告2018年第194号，对企业给予资金支持。"
    result = lexicon.explain(Document("厦门市跨境电子商务发展扶持办法", text))
    terms = {item["term"] for items in result.evidence.values() for item in items}
    assert "关税" not in terms and "海关" not in terms
    assert result.policy_type != "tax" and "tax" not in result.themes
    assert "supply.funding" in result.instruments
