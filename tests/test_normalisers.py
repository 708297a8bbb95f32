"""Document numbers, department names and dates normalise to one form."""

from __future__ import annotations

from datetime import date

import pytest

from cbec_policy.dates import parse_date
from cbec_policy.departments import canonical_department, issuers_for_doc_number, normalise_issuer
from cbec_policy.docnumber import normalise_doc_number
from cbec_policy.errors import InputError
from cbec_policy.labels import POLICY_TYPES, find_label


@pytest.mark.parametrize(
    "written",
    ["财关税〔2016〕18号", "财关税[2016]18号", "财关税(2016)18号", "财关税（2016）18号", "财关税【2016】18号",
     "财关税 〔2016〕 18 号", "财关税〔2016〕18號", "财关税［2016］18号"],
)  # fmt: skip
def test_bracket_variants_of_one_number(written: str) -> None:
    assert normalise_doc_number(written) == "财关税〔2016〕18号"


def test_announcement_and_standard_numbers() -> None:
    assert (
        normalise_doc_number("财政部  海关总署 税务总局公告2023年第 4 号") == "财政部 海关总署 税务总局公告2023年第4号"
    )
    assert normalise_doc_number("gb/t 43291—2023") == "GB/T 43291-2023"
    assert normalise_doc_number("海关总署公告2014年第12号") == "海关总署公告2014年第12号"


def test_department_short_forms() -> None:
    assert canonical_department("税务总局") == "国家税务总局"
    assert canonical_department("国家税务局") == "国家税务总局"
    assert canonical_department("发展改革委") == "国家发展和改革委员会"
    assert canonical_department("某某局") is None
    assert normalise_issuer(" 某某局 ") == "某某局"


def test_doc_number_prefix_implies_issuers() -> None:
    assert issuers_for_doc_number("财关税〔2016〕18号") == ["财政部", "海关总署", "国家税务总局"]
    assert issuers_for_doc_number("国函〔2015〕44号") == ["国务院"]
    assert issuers_for_doc_number("国办发〔2015〕46号") == ["国务院办公厅"]
    assert issuers_for_doc_number("商财发〔2018〕486号") == ["商务部"]
    assert issuers_for_doc_number("GB/T 43291-2023") == ["国家市场监督管理总局", "国家标准化管理委员会"]
    assert issuers_for_doc_number("某某〔2020〕1号") == []


def test_strict_dates() -> None:
    assert parse_date("2018-07-24") == date(2018, 7, 24)
    assert parse_date("2013.12.30") == date(2013, 12, 30)
    assert parse_date("2018年11月29日") == date(2018, 11, 29)
    with pytest.raises(InputError, match="no such date"):
        parse_date("2023-02-30", "--on")
    with pytest.raises(InputError, match="not a date"):
        parse_date("yesterday", "--on")


def test_labels_accept_code_or_chinese() -> None:
    assert find_label(POLICY_TYPES, "税收类", "--type").code == "tax"
    assert find_label(POLICY_TYPES, "tax", "--type").zh == "税收类"
    with pytest.raises(InputError, match="--type"):
        find_label(POLICY_TYPES, "财务类", "--type")
