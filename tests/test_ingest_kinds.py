"""One realistic document per kind of problem that real web copies show, and the formats beyond txt/html.

The documents in ``fixtures/ingest/kinds`` are written for these tests (own wording, the facts of
real national documents: numbers, dates and issuers as published; local examples use real
places). ``timeline_old.txt`` / ``timeline_new.txt`` are marked 示例 (example) documents: they
exist to exercise 施行日期, 有效期 and repeal clauses and name no real body.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest

from cbec_policy.errors import InputError
from cbec_policy.ingest import process_document
from cbec_policy.ingest.extract.timeline import status_on
from cbec_policy.ingest.normalise import normalise_text
from cbec_policy.ingest.readers import expand_paths, read_file

KINDS = Path(__file__).parent / "fixtures" / "ingest" / "kinds"


def extract(name: str):  # type: ignore[no-untyped-def]
    result = process_document(str(KINDS / name), classify=False)
    assert result.error is None, result.error
    assert result.extraction is not None
    return result.extraction


# --------------------------------------------------------------------------- level without an issuer


def test_level_from_the_title_place_name() -> None:
    found = extract("title_place_level.txt")
    assert found.issuers == []
    assert (found.level, found.region) == ("municipal", "浙江省 宁波市")
    assert found.evidence["level"].method == "place name at the start of the title"


def test_level_and_issuer_from_the_number_prefix() -> None:
    # 省人民政府办公厅 without the province; 闽 (the number's prefix) names 福建省.
    found = extract("number_prefix_level.txt")
    assert found.doc_number == "闽政办〔2015〕140号"
    assert found.issuers == ["福建省人民政府办公厅"]
    assert (found.level, found.region) == ("provincial", "福建省")


def test_county_level_city_is_placed_in_its_province() -> None:
    found = extract("county_city.txt")
    assert found.issuers == ["义乌市人民政府"]
    assert found.level == "municipal"
    assert found.region is not None and found.region.startswith("浙江省")


def test_text_that_speaks_of_its_own_city_is_municipal() -> None:
    text = normalise_text(
        "西安建设国际物流枢纽实施方案\n结合我市实际，制定本方案。\n一、目标\n到2025年，全市物流总额增长。"
    ).text
    from cbec_policy.ingest.extract import extract_metadata

    assert extract_metadata(text).level == "municipal"


# --------------------------------------------------------------------------- numbers


def test_announcement_short_form_gets_the_official_form_and_keeps_the_printed_one() -> None:
    found = extract("announcement_short.txt")
    assert found.doc_number == "海关总署公告2020年第75号"
    assert found.evidence["doc_number"].text == "公告〔2020〕75号"
    assert found.publish_date == date(2020, 6, 12)


def test_bare_announcement_number_under_the_title() -> None:
    found = extract("announcement_bare.txt")
    assert found.doc_number == "国家税务总局公告2019年第36号"
    assert found.issuers == ["国家税务总局"]
    assert found.publish_date == date(2019, 10, 26)


# --------------------------------------------------------------------------- titles


def test_title_without_site_chrome() -> None:
    # A leading year and 最新, the number in brackets, an SEO suffix after _.
    found = extract("title_chrome.txt")
    assert found.title == "关于跨境电子商务零售进出口商品有关监管事宜的公告"
    assert found.doc_number == "海关总署公告2018年第194号"
    assert found.issuers == ["海关总署"]


def test_title_from_a_file_name() -> None:
    found = extract("file_name_title.txt")
    assert found.title == "关于支持跨境电子商务海外仓发展的若干措施"
    assert found.evidence["title"].confidence < 0.8


def test_title_from_a_drafting_note_and_signature_under_it() -> None:
    found = extract("drafting_note_title.txt")
    assert found.title == "山东省跨境电子商务高质量发展行动计划（征求意见稿）"
    assert found.issuers == ["山东省商务厅"]
    assert found.publish_date == date(2022, 3, 10)


def test_promulgation_order_stands_for_the_law() -> None:
    found = extract("law_promulgation.txt")
    assert found.title == "中华人民共和国电子商务法"
    assert found.issuers == ["全国人民代表大会常务委员会"]
    assert found.publish_date == date(2018, 8, 31)
    assert found.level == "national"
    assert found.timeline.effective_date == date(2019, 1, 1)
    assert found.timeline.legal_force == "law"
    assert found.doc_number is None  # a law has no 发文字号: 主席令第七号 only promulgates it


# --------------------------------------------------------------------------- order headers (令)


def test_state_council_order_gives_issuer_number_and_administrative_regulation() -> None:
    # 国务院令第538号 (full-width digits on the line under the header): the 2008 VAT regulation.
    found = extract("state_council_order.txt")
    assert found.title == "中华人民共和国增值税暂行条例"
    assert found.evidence["title"].method == "work promulgated under the order header"
    assert found.doc_number == "国务院令第538号"
    assert found.issuers == ["国务院"]
    assert found.evidence["issuers"].method == "order header (令)"
    assert found.level == "national"
    assert found.publish_date == date(2008, 11, 10)
    assert found.timeline.effective_date == date(2009, 1, 1)
    assert found.timeline.legal_force == "administrative_regulation"
    assert not [warning for warning in found.warnings if warning.startswith(("issuers", "title"))]


def test_ministry_order_with_a_year_gives_a_departmental_rule() -> None:
    found = extract("department_order.txt")
    assert found.title == "对外贸易经营者备案登记办法"
    assert found.doc_number == "商务部令2004年第14号"
    assert found.issuers == ["商务部"]
    assert found.timeline.effective_date == date(2004, 7, 1)
    assert found.timeline.legal_force == "departmental_rule"


def test_a_word_ending_in_ling_is_not_an_order_header(tmp_path: Path) -> None:
    # 禁令 / 命令 in a heading are not issuing bodies: no number or issuer is made up from them.
    page = tmp_path / "notice.txt"
    page.write_text("关于严格执行禁令\n第3号\n各单位：请遵照执行。\n", encoding="utf-8")
    found = process_document(str(page), classify=False).extraction
    assert found is not None
    assert found.doc_number is None
    assert found.issuers == []


def test_standard_cover_in_one_line() -> None:
    found = extract("standard_cover.txt")
    assert found.doc_number == "GB/T 18354-2021"
    assert found.title == "物流术语"
    assert found.issuers == ["国家市场监督管理总局", "国家标准化管理委员会"]
    assert found.publish_date == date(2021, 8, 20)
    assert found.timeline.legal_force == "standard"


def test_english_catalogue_record() -> None:
    found = extract("bilingual_catalogue.txt")
    assert found.title == "财政部 海关总署 国家税务总局关于跨境电子商务零售进口税收政策的通知"
    assert found.doc_number == "财关税〔2016〕18号"
    assert found.issuers == ["财政部", "海关总署", "国家税务总局"]
    assert found.publish_date == date(2016, 3, 24)  # Date Issued: 03-24-2016, month first
    assert found.timeline.effective_date == date(2016, 4, 8)
    assert found.level == "national"


# --------------------------------------------------------------------------- issuers


def test_run_together_issuers_of_one_province() -> None:
    found = extract("run_together_issuers.txt")
    assert found.issuers == ["河南省财政厅", "河南省国家税务局", "河南省地方税务局"]
    assert found.level == "provincial"


def test_signature_over_two_lines() -> None:
    found = extract("two_line_signature.txt")
    assert found.issuers == ["中共厦门市委办公厅", "厦门市人民政府办公厅"]
    assert (found.level, found.region) == ("municipal", "福建省 厦门市")


def test_count_of_departments_names_the_lead_only_and_warns() -> None:
    found = extract("count_departments.txt")
    assert found.issuers == ["商务部"]
    assert any("the count is 6" in warning for warning in found.warnings)


def test_short_official_form_with_the_place_of_the_title() -> None:
    found = extract("short_official_forms.txt")
    assert found.issuers == ["重庆市商务委员会"]
    assert (found.level, found.region) == ("provincial", "重庆市")


def test_site_publisher_does_not_override_title_and_signature() -> None:
    found = extract("publisher_vs_signature.txt")
    assert found.issuers == ["福建省人民政府"]
    assert found.doc_number == "闽政〔2016〕21号"


# --------------------------------------------------------------------------- noise


def test_injected_junk_and_jammer_strings_are_removed() -> None:
    found = extract("junk_injected.txt")
    assert found.title == "广州市商务局关于组织申报跨境电子商务发展专项资金的通知"
    assert found.issuers == ["广州市商务局"]
    assert found.publish_date == date(2019, 7, 15)


def test_toneless_pinyin_residues_in_traditional_script() -> None:
    found = extract("toneless_pinyin.txt")
    assert found.title == "财政部国家税务总局关于跨境电子商务零售出口税收政策的通知"
    assert found.doc_number == "财税〔2013〕96号"
    assert found.issuers == ["财政部", "国家税务总局"]
    assert found.publish_date == date(2013, 12, 30)


def test_radical_code_points_are_mapped_for_every_reader() -> None:
    assert normalise_text("中华⼈⺠共和国 ⻅附件 ⻓江 海关⻔户").text == "中华人民共和国 见附件 长江 海关门户"


def test_radicals_in_a_pdf_text_layer() -> None:
    raw = read_file(str(KINDS / "radical_notice.pdf"))
    assert "⼈" in raw.text and "⺠" in raw.text  # the PDF's text layer uses radicals
    result = process_document(str(KINDS / "radical_notice.pdf"), classify=False)
    assert result.normalised is not None and "⼈" not in result.normalised.text
    assert "人民币" in result.normalised.text and "⺠" not in result.normalised.text
    assert result.extraction is not None
    assert result.extraction.doc_number == "财关税〔2016〕18号"


# --------------------------------------------------------------------------- time


def test_written_and_release_dates_stay_apart() -> None:
    result = process_document(str(KINDS / "two_dates.txt"), classify=False)
    found = result.extraction
    assert found is not None
    assert found.publish_date == date(2018, 11, 28)  # 成文日期
    assert found.release_date == date(2018, 11, 30)  # 发布日期
    assert result.extraction_evidence()["timeline"]["written_date"] == "2018-11-28"


def test_effective_date_term_and_repeal_clause() -> None:
    found = extract("timeline_new.txt")
    timeline = found.timeline
    assert timeline.effective_date == date(2024, 6, 1)
    assert timeline.end_date == date(2027, 5, 31)  # 有效期3年: the last day in force
    assert [r.doc_number for r in timeline.repeals] == ["示例商规〔2021〕3号", None]
    assert [r.title for r in timeline.repeals] == ["示例市跨境电商园区管理办法", "示例市跨境电商扶持资金细则"]
    statuses = [status_on(day, timeline.effective_date, timeline.end_date, found.publish_date)
                for day in (date(2024, 5, 25), date(2025, 1, 1), date(2027, 6, 1))]  # fmt: skip
    assert statuses == ["尚未生效", "现行有效", "已失效"]


def test_effective_on_issue_takes_the_document_date() -> None:
    from cbec_policy.ingest.extract import extract_metadata

    text = normalise_text(
        "国家外汇管理局关于支持贸易新业态发展的通知\n汇发〔2020〕11号\n各分局：\n现将有关事项通知如下。"
        "本通知自印发之日起施行，有效期至2025年12月31日。\n国家外汇管理局\n2020年5月20日"
    ).text
    timeline = extract_metadata(text).timeline
    assert timeline.effective_date == date(2020, 5, 20)
    assert timeline.end_date == date(2025, 12, 31)


# --------------------------------------------------------------------------- formats


def test_doc_file() -> None:
    raw = read_file(str(KINDS / "word_notice.doc"))
    assert raw.kind == "doc"
    found = extract("word_notice.doc")
    assert found.doc_number == "财关税〔2016〕18号"
    assert found.publish_date == date(2016, 3, 24)
    assert found.timeline.effective_date == date(2016, 4, 8)


def test_wps_file() -> None:
    # WPS Writer stores .wps in the Word binary format; LibreOffice reads it.
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is required: run scripts/setup.sh")
    raw = read_file(str(KINDS / "word_notice.wps"))
    assert raw.kind == "wps"
    assert "财关税〔2016〕18号" in raw.text


def _ofd_package(lines: list[str], images_only: bool = False) -> bytes:
    """An OFD package as GB/T 33190 lays it out: OFD.xml → Doc_0/Document.xml → page Content.xml."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    objects = (
        ""
        if images_only
        else "".join(
            f'<ofd:TextObject ID="{i + 10}" Boundary="20 {30 + i * 8} 170 6" Font="1" Size="4">'
            f'<ofd:TextCode X="0" Y="5">{text}</ofd:TextCode></ofd:TextObject>'
            for i, text in enumerate(lines)
        )
    )
    image = '<ofd:ImageObject ID="99" Boundary="0 0 210 297" ResourceID="5"/>' if images_only else ""
    files = {
        "OFD.xml": f'<ofd:OFD {ns} Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID>'
        "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": f"<ofd:Document {ns}><ofd:CommonData><ofd:MaxUnitID>100</ofd:MaxUnitID></ofd:CommonData>"
        '<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>',
        "Doc_0/Pages/Page_0/Content.xml": f'<ofd:Page {ns}><ofd:Content><ofd:Layer ID="2">{objects}{image}'
        "</ofd:Layer></ofd:Content></ofd:Page>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in files.items():
            package.writestr(name, content)
    return buffer.getvalue()


def test_ofd_file(tmp_path: Path) -> None:
    lines = ["海关总署关于跨境电子商务零售进出口商品有关监管事宜的公告", "海关总署公告2018年第194号",
             "现就相关监管事宜公告如下。", "本公告自2019年1月1日起施行。", "海关总署", "2018年12月10日"]  # fmt: skip
    path = tmp_path / "notice.ofd"
    path.write_bytes(_ofd_package(lines))
    raw = read_file(str(path))
    assert raw.kind == "ofd"
    assert raw.text.split("\n") == lines
    found = extract_path(path)
    assert found.doc_number == "海关总署公告2018年第194号"
    assert found.publish_date == date(2018, 12, 10)


def extract_path(path: Path):  # type: ignore[no-untyped-def]
    result = process_document(str(path), classify=False)
    assert result.error is None and result.extraction is not None
    return result.extraction


def test_scanned_ofd_and_broken_ofd(tmp_path: Path) -> None:
    scanned = tmp_path / "scan.ofd"
    scanned.write_bytes(_ofd_package([], images_only=True))
    with pytest.raises(InputError, match="no text layer"):
        read_file(str(scanned))
    broken = tmp_path / "broken.ofd"
    broken.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError, match=r"corrupt \.ofd"):
        read_file(str(broken))


def test_folder_with_only_unsupported_files_says_so(tmp_path: Path) -> None:
    (tmp_path / "a.xls").write_bytes(b"x")
    (tmp_path / "b.zip").write_bytes(b"x")
    listed = list(expand_paths([str(tmp_path)]))
    assert listed == [str(tmp_path)]
    with pytest.raises(InputError) as caught:
        read_file(listed[0])
    assert caught.value.reason == (
        "folder holds no supported files (.xls ×1, .zip ×1); expected .txt, .html, .pdf, .docx, .doc, .wps or .ofd"
    )


# --------------------------------------------------------------------------- matched corpus record


def test_a_copy_of_a_stored_policy_is_completed_from_the_record(tmp_path: Path) -> None:
    from cbec_policy.store import open_store

    copy = tmp_path / "copy.txt"
    # A mirror that kept only the number and a paragraph: no title line, no signature.
    copy.write_text(
        "财关税〔2016〕18号\n为营造公平竞争的市场环境，现将跨境电子商务零售进口税收政策通知如下。\n", encoding="utf-8"
    )
    alone = process_document(str(copy), classify=False)
    assert alone.extraction is not None and alone.extraction.publish_date is None
    with open_store(f"sqlite:///{tmp_path / 'db.sqlite3'}") as store:
        store.init()
        matched = process_document(str(copy), classify=False, store=store)
    found = matched.extraction
    assert found is not None and matched.matched_policy_id == "2016-caiguanshui-18"
    assert found.title == "财政部 海关总署 国家税务总局关于跨境电子商务零售进口税收政策的通知"
    assert found.publish_date == date(2016, 3, 24)
    assert found.issuers == ["财政部", "海关总署", "国家税务总局"]
    assert found.evidence["publish_date"].method == "matched corpus record"
    assert found.evidence["publish_date"].text == "2016-caiguanshui-18"
    assert found.evidence["doc_number"].method != "matched corpus record"  # the copy's own value stays


def test_taiwan_vocabulary_gets_the_mainland_words() -> None:
    text = normalise_text("關於推進跨境電商高品質發展的若干措施：支持軟體和資訊服務企業").text
    assert text == "关于推进跨境电商高质量发展的若干措施：支持软件和信息服务企业"


def test_conflicting_numbers_and_a_future_date_are_kept_with_a_warning() -> None:
    from cbec_policy.ingest.extract import extract_metadata

    text = normalise_text(
        "发文字号：商财发〔2018〕486号\n商务部等6部门关于完善跨境电子商务零售进口监管有关工作的通知\n"
        "商财发〔2018〕468号\n各有关部门：\n现将有关事项通知如下。\n商务部\n2099年11月28日"
    ).text
    found = extract_metadata(text)
    assert found.doc_number == "商财发〔2018〕486号"
    assert found.evidence["doc_number_conflict"].text == "商财发〔2018〕468号"
    assert any("the text prints 商财发〔2018〕468号" in warning for warning in found.warnings)
    assert any("2099-11-28 is in the future" in warning for warning in found.warnings)


def test_province_named_once_for_its_three_bodies() -> None:
    from cbec_policy.ingest.extract.common import issuer_tokens

    # Before the 2018 merger a province had its own 国家税务局 and 地方税务局.
    assert issuer_tokens("河南省财政厅 国家税务局 地方税务局") == [
        "河南省财政厅",
        "河南省国家税务局",
        "河南省地方税务局",
    ]
    assert issuer_tokens("财政部 国家税务局") == ["财政部", "国家税务总局"]  # national: the old short form


@pytest.mark.parametrize(
    ("printed", "title"),
    [
        ("中华人民共和国电子商务法（全文）", "中华人民共和国电子商务法"),
        (
            "2019最新关于跨境电子商务综合试验区零售出口货物税收政策的通知",
            "关于跨境电子商务综合试验区零售出口货物税收政策的通知",
        ),
        ("关于跨境电子商务零售进口税收政策的通知.pdf", "关于跨境电子商务零售进口税收政策的通知"),
        (
            "海关总署海关总署关于跨境电子商务零售进出口商品有关监管事宜的公告",
            "海关总署关于跨境电子商务零售进出口商品有关监管事宜的公告",
        ),
        (
            "〈中国（杭州）跨境电子商务综合试验区实施方案〉实施细则",
            "《中国（杭州）跨境电子商务综合试验区实施方案》实施细则",
        ),
        ("关于跨境电子商务出口退税有关问题的公告_税务政策_某某财税网", "关于跨境电子商务出口退税有关问题的公告"),
        ("关于印发跨境电商发展规划的通知(2021年修订版)", "关于印发跨境电商发展规划的通知(2021年修订版)"),
    ],
)
def test_title_cleanup_of_site_chrome(printed: str, title: str) -> None:
    from cbec_policy.ingest.extract.title_rebuild import clean_title

    assert clean_title(printed) == title


def test_covering_notice_without_a_title_line_is_rebuilt_from_the_printing_pattern() -> None:
    from cbec_policy.ingest.extract import extract_metadata

    text = normalise_text(
        "各区人民政府，市政府各部门：\n现将《杭州市跨境电子商务促进条例实施办法》印发给你们，请认真贯彻执行。\n"
        "杭州市人民政府办公厅\n2022年3月1日"
    ).text
    found = extract_metadata(text)
    assert found.title == "杭州市人民政府办公厅关于印发杭州市跨境电子商务促进条例实施办法的通知"
    assert found.evidence["title"].confidence <= 0.5
    assert (found.level, found.region) == ("municipal", "浙江省 杭州市")
