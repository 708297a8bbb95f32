"""Decoding and normalisation of messy policy text (ingest issue: encodings, script, noise)."""

from __future__ import annotations

import pytest

from cbec_policy.errors import InputError
from cbec_policy.ingest.decode import decode_bytes
from cbec_policy.ingest.normalise import normalise_text, traditional

# Real title and number of 财关税〔2018〕49号 (national_policies.csv); the sentence is test wording.
TITLE = "财政部 海关总署 税务总局关于完善跨境电子商务零售进口税收政策的通知"
TEXT = f"{TITLE}\n财关税〔2018〕49号\n各省、自治区、直辖市财政厅：现将零售进口税收政策的调整事项通知如下。\n"


@pytest.mark.parametrize(
    ("encoding", "expected_codec"),
    [
        ("utf-8", "utf_8"),
        ("utf-8-sig", "utf_8"),
        ("gb18030", "gb18030"),
        ("gbk", "gb18030"),
        ("utf-16", "utf_16"),
        ("utf-16-le", "utf_16_le"),
        ("utf-16-be", "utf_16_be"),
    ],
)
def test_decode_simplified_in_every_common_encoding(encoding: str, expected_codec: str) -> None:
    decoded = decode_bytes(TEXT.encode(encoding), "notice.txt")
    assert decoded.text.lstrip("\ufeff") == TEXT
    assert decoded.encoding == expected_codec


def test_big5_is_not_mistaken_for_gbk() -> None:
    # Big5 bytes nearly always decode as GBK too; the decoder must notice the nonsense.
    source = traditional(TEXT)
    decoded = decode_bytes(source.encode("big5hkscs"), "big5.txt")
    assert decoded.text == source
    assert normalise_text(decoded.text).text.startswith(TITLE)


def test_gb2312_subset_decodes() -> None:
    assert decode_bytes("海关总署公告2018年第194号".encode("gb2312"), "a.txt").text == "海关总署公告2018年第194号"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
        (b"\xff\xfe\xfd\xfc" * 4 + "跨境".encode() + b"\x81\xff\x80", "undecodable bytes"),
    ],
)
def test_decode_refuses_binary_and_undecodable(data: bytes, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        decode_bytes(data, "bad.txt")
    assert caught.value.source == "bad.txt"
    assert reason in caught.value.reason


def test_traditional_and_mixed_script_become_simplified() -> None:
    mixed = traditional(TITLE) + "\n" + "财关税〔2018〕49号"
    result = normalise_text(mixed)
    assert result.converted_script
    assert result.text.split("\n")[0] == TITLE
    assert result.original == mixed  # the original is kept


@pytest.mark.parametrize(
    "variant",
    [
        "财关税[2018]49号",
        "财关税(2018)49号",
        "财关税（2018）49号",
        "财关税【2018】49号",
        "财关税〔2018〕49號",
        "财关税 [ 2018 ] 49 号",
    ],
)
def test_bracket_variants_become_canonical(variant: str) -> None:
    assert normalise_text(f"依据{variant}执行").text == "依据财关税〔2018〕49号执行"


def test_announcement_hao_variant() -> None:
    assert normalise_text("海关总署公告2018年第194號").text == "海关总署公告2018年第194号"


def test_full_width_forms_zero_width_and_emoji_are_removed_but_chinese_punctuation_kept() -> None:
    noisy = "ＧＢ／Ｔ　４０２９０－２０２１\u200b😀\n关于公布跨境电子商务零售进口商品清单（第二批）的公告👍\ufe0f"
    text = normalise_text(noisy).text
    assert text == "GB/T 40290-2021\n关于公布跨境电子商务零售进口商品清单（第二批）的公告"


def test_kangxi_radicals_from_pdf_text_layers_are_folded() -> None:
    # U+2F26 (⼦) and U+2F45 (⽅) are what some PDF fonts emit for 子 and 方.
    assert normalise_text("电\u2f26商务\u2f45案").text == "电子商务方案"


def test_pinyin_residue_is_removed() -> None:
    assert normalise_text("综合试验區(qū)").text == "综合试验区"
    assert normalise_text("跨境电商(B2B)出口").text == "跨境电商(B2B)出口"  # not pinyin: kept


def test_site_spam_and_posting_lines_are_dropped_metadata_lines_kept() -> None:
    text = "\n".join(
        [
            "首页 > 政策文件 > 正文",
            "来源：示例政务网 发布时间：2024-05-06 10:23 浏览次数：1024",
            TITLE,
            "成文日期：2018年11月29日",
            "【字体：大 中 小】 打印本页 关闭窗口",
            "扫一扫在手机打开当前页",
        ]
    )
    result = normalise_text(text)
    assert result.text.split("\n") == [TITLE, "成文日期：2018年11月29日"]
    assert len(result.removed_lines) == 4
