"""Limits every reader runs under, and the per-file isolation that keeps one bad file from stopping a run.

A run's policy documents come from crawls, mail attachments and shared drives; some files
are broken and a few are hostile. Three mechanisms keep such a file to one line of the run's
report while the other files are stored:

* **checks before the parser** (:func:`check_content`): an HTML page nested deeper than any real
  page (the HTML parser slows quadratically with depth and the text walk recurses), a .docx whose
  zip holds far more XML than its size suggests (a "zip bomb" of tiny paragraphs) — refused with
  the reason before the parser spends minutes and gigabytes on it;
* **isolation** (:func:`isolate_file`): whatever a reader or an extraction step raises for one
  file (a PDF decompression limit, a self-referencing object, a recursion or memory error, an
  unreadable folder) becomes that file's failure, named and explained in one line;
* **path expansion that reports** (:func:`expand_paths`): a folder that cannot be listed is
  yielded as an input of its own, so the run lists it as failed instead of skipping it silently.

Database errors are not per-file problems: they pass through, so a broken store stops the run.
"""

from __future__ import annotations

import errno
import functools
import glob
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError

from cbec_policy.errors import InputError

# Deeper than any real page (government pages nest 20–40 elements); far below the depth at which
# the text walk would exhaust Python's recursion limit (1,000) or the parser slow down.
MAX_HTML_DEPTH = 400
# A .docx's document part beyond these sizes is no policy document: the longest national laws are
# a few thousand paragraphs, a few MB of XML, some 200,000 elements. python-docx holds the whole
# XML tree in memory (about 250 bytes per element) and walks it in Python, so these bound a read
# to some 150 MB and half a minute.
MAX_DOCX_XML_BYTES = 32 * 1024 * 1024
MAX_DOCX_PARAGRAPHS = 100_000
MAX_DOCX_ELEMENTS = 600_000
# All parts of the zip together (pictures included), as python-docx loads each part whole.
MAX_DOCX_TOTAL_BYTES = 256 * 1024 * 1024
# Classification costs memory in proportion to the text (character n-grams); no policy runs to a
# million characters, so a longer text is classified on its first million.
MAX_CLASSIFY_CHARS = 1_000_000

_VOID_TAGS = frozenset(
    b"area base br col embed hr img input link meta param source track wbr basefont bgsound frame keygen".split()
)
# Elements whose end tag may be left out: opening one closes an open one of the same kind, as the
# HTML parser does for <p>, <li>, <td> ... (so sloppy pages are not counted as deep).
_OPTIONAL_END = frozenset(b"p li dt dd tr td th option optgroup thead tbody tfoot colgroup rb rt rp caption".split())
_TAG = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*?(/?)>")
_COMMENT_OR_RAW = re.compile(rb"<!--.*?-->|<(script|style|textarea)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_DOCX_PARAGRAPH = re.compile(rb"<w:p[ >/]")
_XML_ELEMENT = re.compile(rb"<[A-Za-z]")
_CHUNK = 1024 * 1024

_Result = TypeVar("_Result")


def html_depth(data: bytes, stop_at: int = MAX_HTML_DEPTH) -> int:
    """The element nesting depth of an HTML page, as the parser would build it (approximately).

    Scans the tags without building a tree: void and self-closed elements add nothing, a close
    tag closes back to its open element, and an element with an optional end tag closes an open
    one of its kind. Counting stops at ``stop_at`` + 1, so a nesting bomb is judged in
    milliseconds. Works on the bytes, as tags are ASCII in every encoding pages use here.
    """
    if b"<!--" in data or b"<script" in data or b"<style" in data or b"<textarea" in data:
        data = _COMMENT_OR_RAW.sub(b"", data)
    stack: list[bytes] = []
    open_count: dict[bytes, int] = {}  # how many of each element are open, to close without a search
    deepest = 0
    for closing, tag, self_closed in _TAG.findall(data):
        name = tag.lower()
        if closing:
            if open_count.get(name):
                while True:
                    top = stack.pop()
                    open_count[top] -= 1
                    if top == name:
                        break
            continue
        if self_closed or name in _VOID_TAGS:
            continue
        if name in _OPTIONAL_END and open_count.get(name) and name in stack[-3:]:
            while True:
                top = stack.pop()
                open_count[top] -= 1
                if top == name:
                    break
        stack.append(name)
        open_count[name] = open_count.get(name, 0) + 1
        if len(stack) > deepest:
            deepest = len(stack)
            if deepest > stop_at:
                break
    return deepest


def check_html(data: bytes, path: str) -> None:
    """Refuse a page nested deeper than :data:`MAX_HTML_DEPTH` elements (a nesting bomb)."""
    depth = html_depth(data)
    if depth > MAX_HTML_DEPTH:
        raise InputError(path, f"HTML nested more than {MAX_HTML_DEPTH} elements deep; not a readable page")


def check_docx(data: bytes, path: str) -> None:
    """Refuse a .docx whose zip expands beyond the limits, before python-docx loads it.

    The sizes written in the zip's directory are checked first; the document part is then
    decompressed in 1 MB steps, counting its bytes and paragraphs, because a forged directory
    can understate both. Memory stays at one chunk whatever the archive claims.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # the reader reports a corrupt .docx with its own message
    with archive:
        members = archive.infolist()
        total = sum(member.file_size for member in members)
        if total > MAX_DOCX_TOTAL_BYTES:
            raise InputError(
                path, f".docx expands to {total:,} bytes (limit {MAX_DOCX_TOTAL_BYTES:,}); refused as a zip bomb"
            )
        part = next((m for m in members if m.filename == "word/document.xml"), None)
        if part is None:
            return
        if part.file_size > MAX_DOCX_XML_BYTES:
            raise InputError(
                path,
                f".docx text part is {part.file_size:,} bytes of XML (limit {MAX_DOCX_XML_BYTES:,}); "
                "refused as a zip bomb",
            )
        size = paragraphs = elements = 0
        tail = b""
        try:
            with archive.open(part) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    # A tag split across two chunks is counted once: in the joined edge, not in the tail.
                    joined = tail + chunk
                    tail = chunk[-8:]
                    paragraphs += len(_DOCX_PARAGRAPH.findall(joined)) - len(_DOCX_PARAGRAPH.findall(tail))
                    elements += len(_XML_ELEMENT.findall(joined)) - len(_XML_ELEMENT.findall(tail))
                    if size > MAX_DOCX_XML_BYTES:
                        raise InputError(
                            path, f".docx text part expands beyond {MAX_DOCX_XML_BYTES:,} bytes; refused as a zip bomb"
                        )
                    if paragraphs > MAX_DOCX_PARAGRAPHS:
                        raise InputError(
                            path, f".docx holds more than {MAX_DOCX_PARAGRAPHS:,} paragraphs; refused as a zip bomb"
                        )
                    if elements > MAX_DOCX_ELEMENTS:
                        raise InputError(
                            path, f".docx holds more than {MAX_DOCX_ELEMENTS:,} XML elements; refused as a zip bomb"
                        )
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            return  # damaged or encrypted member: python-docx gives the reader's message


def check_content(data: bytes, path: str, suffix: str) -> None:
    """Run the pre-parse checks for a file of type ``suffix``; raise :class:`InputError` to refuse it."""
    suffix = suffix.lower()
    if suffix in (".html", ".htm", ".shtml", ".xhtml"):
        check_html(data, path)
    elif suffix == ".docx":
        check_docx(data, path)


def classification_text(text: str) -> str:
    """The part of ``text`` the classifier sees: all of it, or its first :data:`MAX_CLASSIFY_CHARS` characters."""
    return text if len(text) <= MAX_CLASSIFY_CHARS else text[:MAX_CLASSIFY_CHARS]


def failure_reason(exc: BaseException) -> str:
    """One line saying why a reader failed, in the user's terms (no traceback, no repr)."""
    if isinstance(exc, InputError):
        return exc.reason
    if isinstance(exc, PermissionError):
        return "cannot read: permission denied"
    if isinstance(exc, OSError):
        return f"cannot read: {exc.strerror or str(exc) or type(exc).__name__}"
    if isinstance(exc, RecursionError):
        return "structure nested too deeply to read"
    if isinstance(exc, MemoryError):
        return "too large to read within the memory available"
    module = type(exc).__module__ or ""
    first_line = (str(exc).splitlines() or [""])[0][:200]
    if module.startswith("pypdf"):
        if "self reference" in first_line or "loop" in first_line.lower():
            return "PDF object refers to itself (a self-referencing /Length or object loop)"
        if type(exc).__name__ == "LimitReachedError":
            return "PDF exceeds the reader's limits (a stream decompresses beyond the limit: compression bomb)"
        return f"corrupt PDF: {first_line or type(exc).__name__}"
    return f"the reader failed on this file ({type(exc).__name__}: {first_line})"


def check_path(path: str) -> None:
    """Explain a path that is not a readable file before any reader sees it.

    A folder is an input here only when its listing failed (see :func:`expand_paths`); a glob
    pattern that names nothing says so, and says when its folder cannot be read.
    """
    try:
        is_dir = os.path.isdir(path)
    except ValueError:
        return
    if is_dir:
        try:
            with os.scandir(path):
                pass
        except OSError as exc:
            raise InputError(path, f"cannot read folder: {_strerror(exc)}") from None
        raise InputError(path, "a folder, not a file")
    if any(char in path for char in "*?[") and not os.path.lexists(path):
        folder = _static_prefix(path)
        try:
            with os.scandir(folder):
                pass
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise InputError(path, f"no file matches; folder {folder} cannot be read: {_strerror(exc)}") from None
        raise InputError(path, "no file matches this pattern")


def _strerror(exc: OSError) -> str:
    return "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or str(exc)).lower()


def _static_prefix(pattern: str) -> str:
    """The folder part of a glob pattern before its first wildcard."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts[:-1]:
        if any(char in part for char in "*?["):
            break
        fixed.append(part)
    return str(Path(*fixed)) if fixed else "."


def isolate_file(
    on_failure: Callable[[str, str], _Result],
) -> Callable[[Callable[..., _Result]], Callable[..., _Result]]:
    """Decorate a per-file step ``fn(path, ...)`` so any failure becomes ``on_failure(path, reason)``.

    :func:`check_path` runs first. Database errors, ``KeyboardInterrupt`` and ``SystemExit``
    pass through: they are not about the file.
    """

    def decorate(fn: Callable[..., _Result]) -> Callable[..., _Result]:
        @functools.wraps(fn)
        def run(path: str, *args: object, **kwargs: object) -> _Result:
            try:
                check_path(path)
                return fn(path, *args, **kwargs)
            except SQLAlchemyError:
                raise
            except Exception as exc:
                return on_failure(path, failure_reason(exc))

        return run

    return decorate


def expand_paths(paths: Iterable[str], suffixes: Iterable[str]) -> Iterator[str]:
    """Yield files from files, folders (recursively, files with ``suffixes`` only) and glob patterns.

    A path that names nothing is yielded unchanged, so the reader reports it as missing; a
    folder that cannot be listed (named, matched or met while walking) is yielded too, so the
    run reports it instead of skipping what it holds without a word.
    """
    wanted = frozenset(suffix.lower() for suffix in suffixes)
    for raw in paths:
        try:
            is_dir = os.path.isdir(raw)
            exists = is_dir or os.path.lexists(raw)
        except ValueError:  # a NUL in the name: the reader reports it as missing
            yield raw
            continue
        if is_dir:
            yield from _walk(raw, wanted)
        elif not exists and any(char in raw for char in "*?["):
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                yield raw
            for match in matches:
                if os.path.isdir(match):
                    yield from _walk(match, wanted)
                elif Path(match).suffix.lower() in wanted:
                    yield match
        else:
            yield raw


def _walk(folder: str, wanted: frozenset[str]) -> Iterator[str]:
    unreadable: list[str] = []
    found = False
    for root, dirs, files in os.walk(folder, onerror=lambda exc: unreadable.append(exc.filename or folder)):
        yield from unreadable
        unreadable.clear()
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in wanted:
                found = True
                yield str(Path(root) / name)
    yield from unreadable
    if not found and not unreadable:
        yield folder  # the reader says what the folder holds instead of a silent 0 files
