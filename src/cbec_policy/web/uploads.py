"""Saving uploaded files safely: sanitised names, a size limit, and never outside the upload directory.

A client controls the file name it sends (``../../etc/x``, ``C:\\evil``, NUL bytes), so the
name is reduced to a safe base name and the final path is checked to lie inside the directory.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import Path
from typing import BinaryIO

from cbec_policy.errors import InputError

ALLOWED_SUFFIXES = (".txt", ".html", ".htm", ".pdf", ".docx")
_UNSAFE = re.compile(r"[^\w.\-\u3400-\u9fff]+")
_CHUNK = 1024 * 1024


def safe_filename(name: str | None) -> str:
    """A file name with no directory part, no control characters and no leading dots.

    >>> safe_filename("../../etc/x")
    'x'
    >>> safe_filename("跨境 政策.txt")
    '跨境_政策.txt'
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = text.replace("\x00", "")
    # Both separators: a Windows client may send C:\\path\\file.txt
    text = re.split(r"[\\/]", text)[-1]
    text = _UNSAFE.sub("_", text).strip("._ ")
    return text[:120] or "upload"


def save_upload(
    stream: BinaryIO,
    filename: str | None,
    directory: Path,
    max_bytes: int,
    allowed: tuple[str, ...] = ALLOWED_SUFFIXES,
) -> Path:
    """Copy ``stream`` into ``directory`` under a unique sanitised name; return the path.

    Raises :class:`InputError` when the type is not accepted or the file is larger than
    ``max_bytes``; a partly written file is removed so nothing half-written remains.
    """
    clean = safe_filename(filename)
    suffix = Path(clean).suffix.lower()
    if suffix not in allowed:
        raise InputError(
            filename or "upload", f"file type {suffix or '(none)'!r} not accepted; use {', '.join(allowed)}"
        )
    directory.mkdir(parents=True, exist_ok=True)
    root = directory.resolve()
    target = (root / f"{uuid.uuid4().hex[:12]}-{clean}").resolve()
    if target.parent != root:  # defence in depth: the name above has no separators left
        raise InputError(filename or "upload", "file name points outside the upload directory")
    written = 0
    try:
        with target.open("xb") as handle:
            while chunk := stream.read(_CHUNK):
                written += len(chunk)
                if written > max_bytes:
                    raise InputError(filename or "upload", f"larger than the upload limit of {max_bytes // 1024} KB")
                handle.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if written == 0:
        target.unlink(missing_ok=True)
        raise InputError(filename or "upload", "empty file")
    return target
