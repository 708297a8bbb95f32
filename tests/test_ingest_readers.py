"""Readers and bad input: each bad file gets one clear error naming it; folders and globs expand."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from cbec_policy.errors import InputError
from cbec_policy.ingest.readers import expand_paths, read_file
from test_ingest_corpus import builder

NOTICE = "\n".join(
    ["国家外汇管理局关于支持贸易新业态发展的通知", "汇发〔2020〕11号", "各分局：", "现将有关事项通知如下。",
     "国家外汇管理局", "2020年5月20日", ""]
)  # fmt: skip


def write(directory: Path, name: str, data: bytes) -> str:
    path = directory / name
    path.write_bytes(data)
    return str(path)


def reason_for(path: str, **kwargs: int) -> str:
    with pytest.raises(InputError) as caught:
        read_file(path, **kwargs)
    assert caught.value.source == path  # the error names the file
    assert "\n" not in str(caught.value)  # on one line
    return caught.value.reason


def test_empty_file(tmp_path: Path) -> None:
    assert reason_for(write(tmp_path, "empty.txt", b"")) == "empty file"
    assert reason_for(write(tmp_path, "blank.txt", b"  \n\t\n")) == "empty file"


def test_binary_file_with_txt_suffix(tmp_path: Path) -> None:
    assert (
        reason_for(write(tmp_path, "photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4))
        == "binary file, not text"
    )


def test_pdf_that_is_really_html(tmp_path: Path) -> None:
    path = write(tmp_path, "fake.pdf", b"<!DOCTYPE html><html><body>not a pdf</body></html>")
    assert reason_for(path) == "not a PDF file: content is HTML"


def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    path = write(tmp_path, "scan.pdf", builder.scanned_pdf_bytes())
    assert reason_for(path) == "no text layer (scanned); OCR is not supported"


def test_truncated_pdf(tmp_path: Path) -> None:
    data = builder.pdf_bytes(NOTICE.split("\n"))
    path = write(tmp_path, "cut.pdf", data[:200])
    assert reason_for(path).startswith(("corrupt PDF", "no text layer"))


def test_corrupt_docx(tmp_path: Path) -> None:
    assert reason_for(write(tmp_path, "broken.docx", b"PK\x03\x04 this is not a zip")).startswith("corrupt .docx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "no word document here")
    assert reason_for(write(tmp_path, "zip.docx", buffer.getvalue())).startswith("corrupt .docx")
    assert reason_for(write(tmp_path, "text.docx", NOTICE.encode())).startswith("corrupt .docx")


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "mojibake.txt", b"\xff\xfe\xfd\xfc" * 4 + "跨境".encode() + b"\x81\xff\x80")
    assert reason_for(path).startswith("undecodable bytes")


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", NOTICE.encode() * 20)
    assert reason_for(path, max_bytes=1000).startswith("file too large")
    assert read_file(path, max_bytes=10_000).kind == "txt"


def test_missing_and_unsupported_files(tmp_path: Path) -> None:
    assert reason_for(str(tmp_path / "nope.txt")) == "no such file"
    assert reason_for(write(tmp_path, "broken.doc", b"\xd0\xcf\x11\xe0")).startswith("unreadable .doc")
    assert reason_for(write(tmp_path, "fake.doc", b"plain words")).startswith("not a Word/WPS binary file")
    assert reason_for(write(tmp_path, "data.xlsx", b"PK")).startswith("unsupported file type .xlsx")


def test_hostile_html_is_neutralised_and_reported(tmp_path: Path) -> None:
    page = (
        "<html><head><script>alert(1)</script></head><body onload='steal()'>"
        "<div id='UCAP-CONTENT'><p>国家外汇管理局关于支持贸易新业态发展的通知</p>"
        "<p>汇发〔2020〕11号</p><img src=x onerror='alert(2)'><p>现将有关事项通知如下。</p>"
        "<p>&lt;script&gt;shown as text&lt;/script&gt;</p><script>evil()</script></div></body></html>"
    )
    document = read_file(write(tmp_path, "hostile.html", page.encode()))
    assert "alert" not in document.text and "evil" not in document.text and "steal" not in document.text
    assert "<script>shown as text</script>" in document.text  # escaped text stays text, never markup
    assert document.warnings == ["removed active content: 2 <script> element(s), 2 event-handler attribute(s)"]


def test_html_with_only_scripts_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.html", b"<html><body><script>alert(1)</script></body></html>")
    assert reason_for(path).startswith("no text in HTML page")


def test_folders_recurse_and_globs_expand(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    write(tmp_path / "a", "one.txt", NOTICE.encode())
    write(tmp_path / "a" / "b", "two.html", NOTICE.encode())
    write(tmp_path / "a" / "b", "skip.png", b"\x89PNG")
    write(tmp_path / "a", ".hidden.txt", b"x")
    found = list(expand_paths([str(tmp_path / "a")]))
    assert [Path(p).name for p in found] == ["one.txt", "two.html"]
    assert [Path(p).name for p in expand_paths([str(tmp_path / "a" / "**" / "*.html")])] == ["two.html"]
    assert list(expand_paths([str(tmp_path / "none*.txt")])) == [str(tmp_path / "none*.txt")]
