"""Hostile and broken input files, generated (no network, no copied text), one per kind of problem.

Each builder writes one file into a folder and returns its path. The good documents are short
notices written for these tests; the hostile ones are shaped like the files a reliability probe
feeds an ingest run: nesting bombs, compression bombs, self-referencing PDF objects, huge single
lines, text in a non-Chinese encoding.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

GOOD_NOTICE = (
    "关于调整跨境电子商务零售进口商品清单（第{n}批）的通知\n"
    "财关税〔2099〕{n}号\n"
    "各省、自治区、直辖市财政厅（局）：\n"
    "为促进跨境电子商务零售进口健康发展，现将有关事项通知如下。\n"
    "一、本通知自发布之日起执行。\n"
    "财政部\n2099年3月{day}日\n"
)


def notice(n: int) -> str:
    """The good notice numbered ``n`` (its own number, title and a valid date)."""
    return GOOD_NOTICE.format(n=n, day=n % 28 + 1)


def good_text(folder: Path, n: int) -> Path:
    """A plain UTF-8 notice with its own number, so every good file becomes its own policy."""
    path = folder / f"good_{n:02d}.txt"
    path.write_text(notice(n), encoding="utf-8")
    return path


def good_html(folder: Path, n: int) -> Path:
    """A small gov.cn-style page holding the notice."""
    body = "".join(f"<p>{line}</p>" for line in notice(n).splitlines())
    path = folder / f"good_{n:02d}.html"
    path.write_text(f"<html><head><title>通知</title></head><body><div id='zoom'>{body}</div></body></html>", "utf-8")
    return path


def nested_html(folder: Path, depth: int) -> Path:
    """A page whose text sits inside ``depth`` nested <div> elements."""
    path = folder / f"nested_{depth}.html"
    text = "关于跨境电子商务零售进口税收政策的通知，为促进跨境电子商务健康发展。"
    path.write_text(f"<html><body>{'<div>' * depth}{text}{'</div>' * depth}</body></html>", encoding="utf-8")
    return path


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF file of the numbered ``objects`` with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


_PAGE_OBJECTS = [
    b"<</Type/Catalog/Pages 2 0 R>>",
    b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
]
_FONT = b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>"


def self_length_pdf(folder: Path) -> Path:
    """A PDF whose content stream's /Length is an indirect reference to the stream itself."""
    content = b"BT /F1 12 Tf 72 720 Td (Cross-border e-commerce notice text here) Tj ET"
    stream = b"<</Length 4 0 R>>\nstream\n" + content + b"\nendstream"
    path = folder / "self_length.pdf"
    path.write_bytes(_pdf([*_PAGE_OBJECTS, stream, _FONT]))
    return path


def bomb_pdf(folder: Path, expanded_mb: int = 800) -> Path:
    """A PDF whose one Flate stream is under 1 MB on disk and ``expanded_mb`` MB decompressed."""
    packer = zlib.compressobj(9)
    chunk = b"0" * (1024 * 1024)
    payload = b"".join(packer.compress(chunk) for _ in range(expanded_mb)) + packer.flush()
    stream = b"<</Length %d/Filter/FlateDecode>>\nstream\n" % len(payload) + payload + b"\nendstream"
    path = folder / "bomb.pdf"
    path.write_bytes(_pdf([*_PAGE_OBJECTS, stream, _FONT]))
    return path


_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_bytes(paragraph: str, count: int) -> bytes:
    """A minimal .docx of ``count`` copies of one paragraph, the document part written in chunks."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _DOCX_TYPES)
        archive.writestr("_rels/.rels", _DOCX_RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body>'.encode())
            xml = f"<w:p><w:r><w:t>{paragraph}</w:t></w:r></w:p>".encode()
            block = xml * 10_000
            for _ in range(count // 10_000):
                part.write(block)
            part.write(xml * (count % 10_000))
            part.write(b"</w:body></w:document>")
    return out.getvalue()


def good_docx(folder: Path, n: int) -> Path:
    """A .docx holding the notice, one paragraph per line."""
    path = folder / f"good_{n:02d}.docx"
    out = io.BytesIO()
    lines = notice(n).splitlines()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _DOCX_TYPES)
        archive.writestr("_rels/.rels", _DOCX_RELS)
        body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>')
    path.write_bytes(out.getvalue())
    return path


def paragraph_bomb_docx(folder: Path, paragraphs: int = 4_000_000) -> Path:
    """A small .docx whose document part holds millions of tiny paragraphs (hundreds of MB of XML)."""
    path = folder / "paragraph_bomb.docx"
    path.write_bytes(docx_bytes("税", paragraphs))
    return path


def huge_line_text(folder: Path, megabytes: int = 30) -> Path:
    """A UTF-8 text file of one line of ``megabytes`` MB of Chinese text, no line break at all."""
    sentence = "跨境电子商务零售进口商品按照货物征收关税和进口环节增值税、消费税。"
    data = sentence.encode("utf-8")
    path = folder / f"huge_line_{megabytes}mb.txt"
    with path.open("wb") as handle:
        handle.write("关于跨境电子商务的通知".encode())
        for _ in range(megabytes * 1024 * 1024 // len(data)):
            handle.write(data)
    return path


JAPANESE = (
    "越境電子商取引に関する通知です。輸入される商品については、関税および消費税を課します。"
    "本通知は公布の日から施行します。詳細は税関にお問い合わせください。"
)
FRENCH = (
    "Avis relatif au commerce électronique transfrontalier. Les marchandises importées "
    "sont soumises aux droits de douane et à la TVA à l'importation. Entrée en vigueur immédiate. "
    "Les opérateurs déclarent les données à la douane électronique, à partir de la date de publication."
)


def shift_jis_text(folder: Path) -> Path:
    """Japanese text saved as Shift-JIS (its bytes also decode as GB18030, into nonsense)."""
    path = folder / "japanese_sjis.txt"
    path.write_bytes((JAPANESE * 3).encode("shift_jis"))
    return path


def latin1_text(folder: Path) -> Path:
    """French text saved as Latin-1 (not valid UTF-8; its accented bytes pair up as GB18030)."""
    path = folder / "french_latin1.txt"
    path.write_bytes((FRENCH * 3).encode("latin-1"))
    return path


HOSTILE: dict[str, Callable[[Path], Path]] = {
    "nested_1000": lambda folder: nested_html(folder, 1_000),
    "nested_100000": lambda folder: nested_html(folder, 100_000),
    "self_length_pdf": self_length_pdf,
    "bomb_pdf": bomb_pdf,
    "paragraph_bomb_docx": paragraph_bomb_docx,
    "shift_jis": shift_jis_text,
    "latin1": latin1_text,
}
