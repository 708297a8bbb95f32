"""Government file formats beyond txt/html/pdf/docx: old Word ``.doc``, WPS ``.wps`` and OFD ``.ofd``.

* ``.doc`` (Word 97–2003 binary) is read with ``antiword``; when antiword refuses a file (some
  versions of the format, or a ``.wps`` it does not know) LibreOffice headless converts it to
  text. Both are Debian packages that ``scripts/setup.sh`` installs.
* ``.wps`` (Kingsoft WPS Writer) is stored by WPS Office in the Word binary format, so the same two
  tools read it.
* ``.ofd`` (GB/T 33190-2016, China's fixed-layout format, the electronic form of many official
  documents) is a ZIP package of XML files: ``OFD.xml`` names the document root, whose
  ``Document.xml`` lists the pages, and each page's ``Content.xml`` holds ``TextObject`` /
  ``TextCode`` elements with their positions. The text is read from those, line by line in
  reading order (top to bottom, then left to right); an OFD whose pages carry only images is a
  scan and gets a clear "no text layer" error.
"""

from __future__ import annotations

import io
import posixpath
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from cbec_policy.errors import InputError
from cbec_policy.ingest.decode import decode_bytes

_TOOL_TIMEOUT_S = 120
_OFD_NS = "{http://www.ofdspec.org/2016}"
# Characters whose baselines differ by less than this (in the page's millimetres) share a line.
_SAME_LINE_MM = 1.5
_MIN_TEXT = 20


def _antiword(data: bytes, path: str) -> str | None:
    """Text by antiword (UTF-8 output), or None when antiword is missing or refuses the file."""
    tool = shutil.which("antiword")
    if tool is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".doc") as handle:
        handle.write(data)
        handle.flush()
        try:
            done = subprocess.run(
                [tool, "-m", "UTF-8.txt", "-w", "0", handle.name],
                capture_output=True,
                timeout=_TOOL_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise InputError(path, f"antiword took longer than {_TOOL_TIMEOUT_S} s") from None
    if done.returncode != 0 or not done.stdout.strip():
        return None
    return done.stdout.decode("utf-8", errors="replace")


def _libreoffice(data: bytes, path: str, suffix: str) -> str | None:
    """Text by LibreOffice headless (convert to UTF-8 text), or None when it is missing or fails."""
    tool = shutil.which("soffice") or shutil.which("libreoffice")
    if tool is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"input{suffix}"
        source.write_bytes(data)
        # A private profile: a user's running LibreOffice or a locked profile must not block the run.
        profile = Path(folder) / "profile"
        try:
            subprocess.run(
                [tool, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                 # Forced Word import: without it LibreOffice opens an unreadable file as plain text.
                 "--infilter=MS Word 97", "--convert-to", "txt:Text (encoded):UTF8", "--outdir", folder, str(source)],
                capture_output=True,
                timeout=_TOOL_TIMEOUT_S,
                check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise InputError(path, f"LibreOffice took longer than {_TOOL_TIMEOUT_S} s") from None
        target = Path(folder) / "input.txt"
        if not target.exists():
            return None
        return decode_bytes(target.read_bytes(), path).text


def read_word_binary(data: bytes, path: str, suffix: str) -> str:
    """Text of a ``.doc`` or ``.wps`` file (antiword first, LibreOffice as the fallback)."""
    if not data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(path, f"not a Word/WPS binary file: no OLE2 header in this {suffix} file")
    text = _antiword(data, path) if suffix == ".doc" else None
    if text is None:
        text = _libreoffice(data, path, suffix)
    if text is None:
        if shutil.which("antiword") is None and shutil.which("soffice") is None:
            raise InputError(path, f"reading {suffix} needs antiword or LibreOffice; run scripts/setup.sh")
        raise InputError(path, f"unreadable {suffix} file (antiword and LibreOffice both failed)")
    return text


# --------------------------------------------------------------------------- OFD


def _xml(package: zipfile.ZipFile, name: str, path: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(package.read(name))
    except KeyError:
        raise InputError(path, f"corrupt .ofd: {name} is missing") from None
    except ElementTree.ParseError:
        raise InputError(path, f"corrupt .ofd: {name} is not well-formed XML") from None


def _resolve(base_dir: str, location: str) -> str:
    """A BaseLoc as a name inside the package: absolute (/Doc_0/…) or relative to ``base_dir``."""
    if location.startswith("/"):
        return posixpath.normpath(location.lstrip("/"))
    return posixpath.normpath(posixpath.join(base_dir, location))


def _page_lines(content: ElementTree.Element) -> list[str]:
    """The text of one page, one string per line, in reading order."""
    pieces: list[tuple[float, float, str]] = []
    for text_object in content.iter(f"{_OFD_NS}TextObject"):
        box = [float(v) for v in (text_object.get("Boundary") or "0 0 0 0").split()[:2]]
        for code in text_object.iter(f"{_OFD_NS}TextCode"):
            if code.text:
                x = box[0] + float(code.get("X") or 0)
                y = box[1] + float(code.get("Y") or 0)
                pieces.append((y, x, code.text))
    pieces.sort()
    lines: list[list[tuple[float, str]]] = []
    last_y: float | None = None
    for y, x, text in pieces:
        if last_y is None or y - last_y > _SAME_LINE_MM:
            lines.append([])
        lines[-1].append((x, text))
        last_y = y
    return ["".join(text for _x, text in sorted(line)) for line in lines]


def read_ofd(data: bytes, path: str) -> str:
    """Text of an OFD document (all pages of its first document, in order)."""
    if not data.startswith(b"PK"):
        raise InputError(path, "corrupt .ofd: not a ZIP package")
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(path, "corrupt .ofd: not a ZIP package") from None
    with package:
        root = _xml(package, "OFD.xml", path)
        doc_root = root.find(f"{_OFD_NS}DocBody/{_OFD_NS}DocRoot")
        if doc_root is None or not (doc_root.text or "").strip():
            raise InputError(path, "corrupt .ofd: OFD.xml names no DocRoot")
        document_name = _resolve("", doc_root.text.strip())
        document = _xml(package, document_name, path)
        base_dir = posixpath.dirname(document_name)
        lines: list[str] = []
        for page in document.iter(f"{_OFD_NS}Page"):
            location = page.get("BaseLoc")
            if location:
                lines.extend(_page_lines(_xml(package, _resolve(base_dir, location), path)))
    text = "\n".join(lines)
    if len("".join(text.split())) < _MIN_TEXT:
        raise InputError(path, "no text layer (scanned OFD); OCR is not supported")
    return text
