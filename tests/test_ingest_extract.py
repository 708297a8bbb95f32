"""Metadata extraction: every document-number form, cited numbers, Chinese-numeral dates, issuers, level.

Facts (titles, numbers, dates, issuers) come from national_policies.csv and the local plans named
in pilot_zones_UNVERIFIED.md; the sentences around them are test wording.
"""

from __future__ import annotations

from datetime import date

import pytest

from cbec_policy.ingest.dates_zh import parse_zh_date
from cbec_policy.ingest.extract import extract_metadata
from cbec_policy.ingest.normalise import normalise_text


def extract(text: str):  # type: ignore[no-untyped-def]
    return extract_metadata(normalise_text(text).text)


def official(title: str, number: str, signature: str, signed: str) -> str:
    return "\n".join(
        [
            title,
            number,
            "各有关单位：",
            "为做好有关工作，现将有关事项通知如下。",
            "一、各单位要认真执行。",
            signature,
            signed,
        ]
    )


@pytest.mark.parametrize(
    ("number", "issuers"),
    [
        ("国办发〔2015〕46号", ["国务院办公厅"]),
        ("国函〔2016〕17号", ["国务院"]),
        ("商贸函〔2017〕840号", ["商务部"]),
        ("财关税〔2016〕18号", ["财政部", "海关总署", "国家税务总局"]),
        ("财税〔2013〕96号", ["财政部", "国家税务总局"]),
        ("汇发〔2020〕11号", ["国家外汇管理局"]),
        ("国知办发管字〔2018〕25号", ["国家知识产权局办公室"]),
        ("海关总署公告2018年第194号", ["海关总署"]),
        ("财政部 海关总署 税务总局公告2023年第4号", ["财政部", "海关总署", "国家税务总局"]),
        ("国家税务总局公告2019年第36号", ["国家税务总局"]),
        ("GB/T 40290-2021", ["国家市场监督管理总局", "国家标准化管理委员会"]),
        ("豫政〔2016〕28号", ["河南省人民政府"]),
        ("豫政〔2023〕35号", ["河南省人民政府"]),
        ("湘政发〔2023〕9号", ["湖南省人民政府"]),
        ("桂政办函〔2023〕45号", ["广西壮族自治区人民政府办公厅"]),
        ("川府函〔2023〕295号", ["四川省人民政府"]),
        ("藏政发〔2023〕19号", ["西藏自治区人民政府"]),
        ("厦商务规〔2022〕5号", ["厦门市商务局"]),
    ],
)
def test_every_doc_number_form_is_found_and_implies_its_issuers(number: str, issuers: list[str]) -> None:
    # No title prefix and no signature names: the issuers can only come from the number.
    found = extract(
        "\n".join(["关于做好有关工作的通知", number, "各有关单位：", "现将有关事项通知如下。", "2023年1月5日"])
    )
    assert found.doc_number == number
    assert found.issuers == issuers
    assert found.evidence["doc_number"].span is not None


@pytest.mark.parametrize(
    "written",
    ["财关税[2018]49号", "财关税（2018）49号", "财关税【2018】49號", "财关税〔 2018 〕49 号", "財關稅〔2018〕49號"],
)
def test_doc_number_variants_come_out_canonical(written: str) -> None:
    text = official("关于完善跨境电子商务零售进口税收政策的通知", written, "财政部 海关总署 税务总局", "2018年11月29日")
    assert extract(text).doc_number == "财关税〔2018〕49号"


def test_a_number_only_cited_in_the_body_is_not_the_documents_own() -> None:
    text = "\n".join(
        [
            "关于做好跨境电商零售进口监管工作的通知",
            "各有关单位：",
            "依据财关税〔2018〕49号的规定，并按照《关于跨境电子商务零售进口税收政策的通知》（财关税〔2016〕18号）执行。",
            "海关总署公告2016年第26号同时废止。",
            "2019年1月2日",
        ]
    )
    found = extract(text)
    assert found.doc_number is None


def test_own_number_wins_over_cited_numbers() -> None:
    text = official(
        "财政部 海关总署 税务总局关于完善跨境电子商务零售进口税收政策的通知",
        "财关税〔2018〕49号",
        "财政部 海关总署 税务总局",
        "2018年11月29日",
    ).replace("为做好有关工作", "依据财关税〔2016〕18号，为做好有关工作")
    assert extract(text).doc_number == "财关税〔2018〕49号"


def test_number_in_the_signature_area_is_found() -> None:
    text = "\n".join(
        ["关于跨境电子商务零售进出口商品有关监管事宜的公告", "为做好监管工作，现将有关事项公告如下。", "特此公告。",
         "海关总署", "2018年12月10日", "海关总署公告2018年第194号"]
    )  # fmt: skip
    assert extract(text).doc_number == "海关总署公告2018年第194号"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("二〇一八年十一月二十九日", date(2018, 11, 29)),
        ("二○一八年十一月二十九日", date(2018, 11, 29)),
        ("二O一三年十二月三十日", date(2013, 12, 30)),
        ("二零二三年一月三十日", date(2023, 1, 30)),
        ("二〇二〇年五月二十日", date(2020, 5, 20)),
        ("二〇一六年三月二十四日", date(2016, 3, 24)),
        ("二〇一八年十二月十日", date(2018, 12, 10)),
        ("二〇二三年十月三十一日", date(2023, 10, 31)),
        ("2018年11月29日", date(2018, 11, 29)),
        ("2018 年 11 月 29 日", date(2018, 11, 29)),
        ("2018-11-29", date(2018, 11, 29)),
        ("2018.11.29", date(2018, 11, 29)),
    ],
)
def test_chinese_and_arabic_date_forms(written: str, expected: date) -> None:
    assert parse_zh_date(written) == expected


def test_impossible_chinese_date_is_rejected() -> None:
    assert parse_zh_date("二〇二三年二月三十日") is None


def test_signature_date_in_chinese_numerals_is_the_publish_date_not_the_effective_date() -> None:
    text = official(
        "财政部 海关总署 税务总局关于完善跨境电子商务零售进口税收政策的通知",
        "财关税〔2018〕49号",
        "财政部 海关总署 税务总局",
        "二〇一八年十一月二十九日",
    ).replace("一、各单位要认真执行。", "本通知自2019年1月1日起执行。")
    found = extract(text + "\n（此件公开发布）\n抄送：各直属海关。\n财政部办公厅 2018年11月30日印发")
    assert found.publish_date == date(2018, 11, 29)
    assert found.evidence["publish_date"].method == "signature date"


def test_site_posting_date_is_never_the_publish_date() -> None:
    text = "来源：示例政务网 发布时间：2024-05-06 10:23 浏览次数：1024\n" + official(
        "国家外汇管理局关于支持贸易新业态发展的通知", "汇发〔2020〕11号", "国家外汇管理局", "2020年5月20日"
    )
    assert extract(text).publish_date == date(2020, 5, 20)
    # A posting line kept by a copy (no spam filter) is skipped by the extractor too.
    found = extract_metadata(text)
    assert found.publish_date == date(2020, 5, 20)


def test_metadata_block_prefers_written_date_and_keeps_release_date() -> None:
    text = "\n".join(
        [
            "索引号：000014349/2022-00001",
            "发文机关：中国人民银行",
            "成文日期：2022年06月16日",
            "发文字号：银发〔2022〕139号",
            "发布日期：2022年06月20日",
            "中国人民银行关于支持外贸新业态跨境人民币结算的通知",
            "各有关单位：",
            "现将有关事项通知如下。",
        ]
    )
    found = extract(text)
    assert found.doc_number == "银发〔2022〕139号"
    assert found.publish_date == date(2022, 6, 16)
    assert found.release_date == date(2022, 6, 20)
    assert found.issuers == ["中国人民银行"]
    assert found.title == "中国人民银行关于支持外贸新业态跨境人民币结算的通知"


def test_lead_department_and_count_are_recorded() -> None:
    text = official(
        "商务部等9部门关于拓展跨境电商出口推进海外仓建设的意见", "商贸发〔2024〕125号", "商务部", "2024年6月11日"
    )
    found = extract(text)
    assert found.issuers == ["商务部"]
    assert any("商务部等9部门" in warning and "9" in warning for warning in found.warnings)


def test_title_prefix_gives_full_official_names() -> None:
    found = extract(
        official(
            "商务部 发展改革委 财政部 海关总署 税务总局 市场监管总局关于完善跨境电子商务零售进口监管有关工作的通知",
            "商财发〔2018〕486号",
            "商务部",
            "2018年11月28日",
        )
    )
    assert found.issuers == [
        "商务部",
        "国家发展和改革委员会",
        "财政部",
        "海关总署",
        "国家税务总局",
        "国家市场监督管理总局",
    ]


def test_signature_block_gives_issuers_when_the_title_has_none() -> None:
    text = "\n".join(
        ["关于增列海关监管方式代码的公告", "为促进跨境贸易电子商务发展，决定增列监管方式代码。", "特此公告。",
         "海关总署", "2014年1月24日"]
    )  # fmt: skip
    found = extract(text)
    assert found.issuers == ["海关总署"]
    assert found.evidence["issuers"].method == "signature block"
    assert found.level == "national"


def test_covering_notice_keeps_its_own_title() -> None:
    text = (
        official(
            "国务院办公厅印发《关于加快内外贸一体化发展的若干措施》的通知",
            "国办发〔2023〕42号",
            "国务院办公厅",
            "2023年12月11日",
        )
        + "\n关于加快内外贸一体化发展的若干措施\n为推动一体化发展，提出以下措施。"
    )
    found = extract(text)
    assert found.title == "国务院办公厅印发《关于加快内外贸一体化发展的若干措施》的通知"
    assert found.issuers == ["国务院办公厅"]
    assert found.publish_date == date(2023, 12, 11)


def test_title_broken_over_two_lines_is_joined() -> None:
    text = official(
        "财政部 海关总署 税务总局关于完善跨境电子商务\n零售进口税收政策的通知",
        "财关税〔2018〕49号",
        "财政部",
        "2018年11月29日",
    )
    assert extract(text).title == "财政部 海关总署 税务总局关于完善跨境电子商务零售进口税收政策的通知"


def test_run_on_text_without_line_breaks() -> None:
    text = (
        "河南省人民政府关于印发中国（许昌）跨境电子商务综合试验区实施方案的通知豫政〔2023〕35号各市、县人民政府："
        "现将实施方案印发给你们，请认真贯彻执行。方案依据国函〔2022〕126号制定。河南省人民政府2023年6月12日"
    )
    found = extract(text)
    assert found.title == "河南省人民政府关于印发中国（许昌）跨境电子商务综合试验区实施方案的通知"
    assert found.doc_number == "豫政〔2023〕35号"
    assert found.publish_date == date(2023, 6, 12)
    assert (found.level, found.region) == ("provincial", "河南省")


def test_document_without_title_line_reports_no_title() -> None:
    text = "\n".join(["汇发〔2020〕11号", "各分局：", "现将有关事项通知如下。", "国家外汇管理局", "2020年5月20日"])
    found = extract(text)
    assert found.title is None
    assert found.doc_number == "汇发〔2020〕11号"
    assert found.issuers == ["国家外汇管理局"]
    assert any(warning.startswith("title") for warning in found.warnings)


@pytest.mark.parametrize(
    ("issuer_title", "number", "level", "region"),
    [
        ("厦门市商务局关于印发跨境电子商务扶持办法的通知", "厦商务规〔2022〕5号", "municipal", "福建省 厦门市"),
        ("西藏自治区人民政府关于印发中国（拉萨）跨境电子商务综合试验区实施方案的通知", "藏政发〔2023〕19号",
         "provincial", "西藏自治区"),
        ("国务院关于同意在天津等12个城市设立跨境电子商务综合试验区的批复", "国函〔2016〕17号", "national", None),
    ],
)  # fmt: skip
def test_level_and_region(issuer_title: str, number: str, level: str, region: str | None) -> None:
    found = extract(official(issuer_title, number, "", "2023年1月5日"))
    assert (found.level, found.region) == (level, region)


def test_law_adoption_clause_gives_date_and_issuer() -> None:
    text = "\n".join(
        [
            "中华人民共和国电子商务法",
            "（2018年8月31日第十三届全国人民代表大会常务委员会第五次会议通过）",
            "第一章 总则",
            "第一条 为了规范电子商务行为，制定本法。",
        ]
    )
    found = extract(text)
    assert found.title == "中华人民共和国电子商务法"
    assert found.doc_number is None
    assert found.publish_date == date(2018, 8, 31)
    assert found.issuers == ["全国人民代表大会常务委员会"]


def test_evidence_spans_point_at_the_values_in_the_normalised_text() -> None:
    normalised = normalise_text(
        official(
            "国家外汇管理局关于支持贸易新业态发展的通知", "汇发[2020]11號", "国家外汇管理局", "二〇二〇年五月二十日"
        )
    ).text
    found = extract_metadata(normalised)
    start, end = found.evidence["doc_number"].span  # type: ignore[misc]
    assert normalised[start:end] == "汇发〔2020〕11号"
    start, end = found.evidence["publish_date"].span  # type: ignore[misc]
    assert normalised[start:end] == "二〇二〇年五月二十日"
    start, end = found.evidence["title"].span  # type: ignore[misc]
    assert normalised[start:end] == "国家外汇管理局关于支持贸易新业态发展的通知"
    assert 0 < found.evidence["title"].confidence <= 1
