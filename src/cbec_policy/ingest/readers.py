"""Read a policy document from a file into text: .txt, .html/.htm, .pdf (text layer), .docx, .doc, .wps, .ofd.

Every failure is an :class:`InputError` naming the file and the reason in one line (empty,
binary, too large, a .pdf that is really HTML, corrupt .docx, no text layer, ...), so that a
run over many files can list it and go on. Folders and glob patterns expand to the supported files inside.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cbec_policy.errors import InputError
from cbec_policy.ingest import limits
from cbec_policy.ingest.decode import decode_bytes, is_binary
from cbec_policy.ingest.htmltext import parse_html
from cbec_policy.ingest.office import read_ofd, read_word_binary

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
WORD_BINARY_SUFFIXES = {".doc", ".wps"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | WORD_BINARY_SUFFIXES | {".pdf", ".docx", ".ofd"}
_EXPECTED = ".txt, .html, .pdf, .docx, .doc, .wps or .ofd"
_MISSING_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
# A PDF whose pages give less than this much text is treated as a scan.
_MIN_PDF_TEXT = 20


@dataclass
class RawDocument:
    """Text read from one file, before normalisation, with what the reader learned on the way."""

    path: str
    kind: str  # txt / html / pdf / docx / doc / wps / ofd
    text: str
    encoding: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)  # gov.cn metadata block fields
    page_title: str | None = None
    warnings: list[str] = field(default_factory=list)


def expand_paths(paths: list[str]) -> Iterator[str]:
    """Yield files from files, folders (recursively, supported types only) and glob patterns.

    A path that names nothing is yielded unchanged, so the reader reports it as missing; a
    folder that cannot be listed is yielded too, so it is reported rather than skipped.
    """
    yield from limits.expand_paths(paths, SUPPORTED_SUFFIXES)


def _folder_reason(path: str) -> str:
    """Why a folder gave no documents: what kinds of files it holds, if any."""
    kinds: dict[str, int] = {}
    for _root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                suffix = Path(name).suffix.lower() or "(no extension)"
                kinds[suffix] = kinds.get(suffix, 0) + 1
    if not kinds:
        return "empty folder: no files to read"
    listed = ", ".join(f"{suffix} ×{count}" for suffix, count in sorted(kinds.items()))
    return f"folder holds no supported files ({listed}); expected {_EXPECTED}"


def read_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> RawDocument:
    """Read one file into a :class:`RawDocument`, or raise :class:`InputError` naming it."""
    file = Path(path)
    # One stat call answers "exists", "regular file" and "size" (three calls through pathlib).
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno in _MISSING_ERRNOS:  # what Path.exists() reports as missing
            raise InputError(path, "no such file") from None
        raise
    except ValueError:  # a NUL character in the path: no file can have that name
        raise InputError(path, "no such file") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(path, _folder_reason(path))
    if not stat.S_ISREG(info.st_mode):
        raise InputError(path, "not a regular file")
    suffix = file.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(path, f"unsupported file type {suffix or '(none)'}; expected {_EXPECTED}")
    size = info.st_size
    if size > max_bytes:
        raise InputError(path, f"file too large: {size:,} bytes (limit {max_bytes:,})")
    if size == 0:
        raise InputError(path, "empty file")
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from None
    return read_bytes(data, path, suffix)


def read_bytes(data: bytes, path: str, suffix: str) -> RawDocument:
    """Read already loaded ``data`` as a file of type ``suffix`` (used for uploads too)."""
    suffix = suffix.lower()
    if not data.strip():
        raise InputError(path, "empty file")
    limits.check_content(data, path, suffix)  # nesting and zip bombs are refused before parsing
    if suffix in TEXT_SUFFIXES:
        document = _read_text(data, path)
    elif suffix in HTML_SUFFIXES:
        document = _read_html(data, path)
    elif suffix == ".pdf":
        document = _read_pdf(data, path)
    elif suffix == ".docx":
        document = _read_docx(data, path)
    elif suffix in WORD_BINARY_SUFFIXES:
        document = RawDocument(path, suffix[1:], read_word_binary(data, path, suffix))
    elif suffix == ".ofd":
        document = RawDocument(path, "ofd", read_ofd(data, path))
    else:
        raise InputError(path, f"unsupported file type {suffix or '(none)'}; expected {_EXPECTED}")
    if not document.text.strip():
        raise InputError(path, "no text in file")
    return document


def _read_text(data: bytes, path: str) -> RawDocument:
    decoded = decode_bytes(data, path)
    if not decoded.text.strip():
        raise InputError(path, "empty file")
    return RawDocument(path, "txt", decoded.text, decoded.encoding)


def _read_html(data: bytes, path: str) -> RawDocument:
    decoded = decode_bytes(data, path)
    page = parse_html(decoded.text)
    warnings = []
    if page.removed_scripts or page.removed_handlers:
        warnings.append(
            f"removed active content: {page.removed_scripts} <script> element(s), "
            f"{page.removed_handlers} event-handler attribute(s)"
        )
    if not page.text.strip():
        raise InputError(path, "no text in HTML page after removing scripts and site chrome")
    return RawDocument(path, "html", page.text, decoded.encoding, page.metadata, page.page_title, warnings)


def _sniff(data: bytes) -> str:
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head or b"<body" in head:
        return "HTML"
    if head.startswith(b"pk\x03\x04"):
        return "a ZIP/Office file"
    if head.startswith(b"{\\rtf"):
        return "RTF"
    if is_binary(data):
        return "binary data"
    return "text"


def _read_pdf(data: bytes, path: str) -> RawDocument:
    if b"%PDF-" not in data[:1024]:
        raise InputError(path, f"not a PDF file: content is {_sniff(data)}")
    # start-up: pypdf loads with the first PDF, so reading text or HTML does not pay for it
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError(path, "encrypted PDF; decrypt it first")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(path, f"corrupt PDF ({type(exc).__name__})") from None
    text = "\n".join(pages)
    if len("".join(text.split())) < _MIN_PDF_TEXT:
        raise InputError(path, "no text layer (scanned); OCR is not supported")
    return RawDocument(path, "pdf", text)


def _read_docx(data: bytes, path: str) -> RawDocument:
    if not data.startswith(b"PK"):
        raise InputError(path, f"corrupt .docx: content is {_sniff(data)}, not an Office file")
    # start-up: python-docx loads with the first .docx, so reading text or HTML does not pay for it
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise InputError(path, f"corrupt .docx ({type(exc).__name__})") from None
    except Exception as exc:  # lxml raises its own syntax errors for broken XML parts
        raise InputError(path, f"corrupt .docx ({type(exc).__name__})") from None
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return RawDocument(path, "docx", "\n".join(lines))
