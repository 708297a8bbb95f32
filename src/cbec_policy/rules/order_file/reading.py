"""Order-line files read in Arrow record batches: encodings, headers and broken rows reported, not fatal.

A broker's files come from spreadsheets and shop systems, so a CSV may be GBK/GB18030 rather
than UTF-8, may name a column twice, and may have rows with too few or too many fields. The
encoding is found the way documents' encodings are (a strict UTF-8 pass over the file; on
failure the same detector the ingest uses, on the lines around the first bad byte). A column
named twice is read once (the order parser rejects lines where the copies differ). A ragged
row cannot be read as an order line, so it is set aside with its file line number; the order
it names is rejected (its other lines alone would be taxed on a smaller order), and every
other row is still computed.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from cbec_policy.errors import InputError
from cbec_policy.ingest import decode_bytes
from cbec_policy.rules.order_file import parsing

_BLOCK = 1 << 20
_SAMPLE = 1 << 16  # bytes around the first non-UTF-8 byte given to the detector


@dataclass
class FileProblems:
    """Problems of the file as a whole, each naming its file line, and the orders they reject.

    ``pending`` maps an order id to the problem that rejects it, until the order's lines
    are read (the reader marks them with :data:`~cbec_policy.rules.order_file.parsing.FILE_PROBLEM`).
    """

    notes: list[str] = field(default_factory=list)
    pending: dict[str, str] = field(default_factory=dict)
    unread_rows: int = 0  # rows set aside (ragged): the file did not go through whole


def csv_encoding(path: Path) -> str:
    """The encoding of a CSV file: UTF-8 (with or without BOM) when every byte fits, else detected."""
    decoder = codecs.getincrementaldecoder("utf_8")()
    offset = 0
    with path.open("rb") as handle:
        while True:
            block = handle.read(_BLOCK)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                return _detect(path, offset + exc.start)
            if not block:
                return "utf8"  # Arrow's own name: its reader then decodes without a transcoding pass
            offset += len(block)


def _detect(path: Path, bad_at: int) -> str:
    """Detect on whole lines around ``bad_at`` (the detector needs the non-ASCII text, not the ASCII header)."""
    with path.open("rb") as handle:
        begin = max(0, bad_at - _SAMPLE // 2)
        handle.seek(begin)
        sample = handle.read(_SAMPLE)
    if begin:
        sample = sample[sample.find(b"\n") + 1 :]
    if len(sample) == _SAMPLE and b"\n" in sample:
        sample = sample[: sample.rfind(b"\n") + 1]
    return decode_bytes(sample, str(path)).encoding


def check_columns(names: list[str], source: str) -> None:
    """Refuse a file without the required columns, naming the missing ones."""
    present = {parsing.ALIASES.get(name, name) for name in names}
    missing = [name for name in parsing.REQUIRED_COLUMNS if name not in present]
    if missing:
        raise InputError(source, f"missing columns: {', '.join(missing)} (needs {', '.join(parsing.REQUIRED_COLUMNS)})")


def _duplicates(names: list[str], problems: FileProblems) -> None:
    seen: dict[str, list[int]] = {}
    for number, name in enumerate(names, start=1):
        seen.setdefault(name, []).append(number)
    for name, where in seen.items():
        if len(where) > 1:
            read = parsing.ALIASES.get(name, name) in parsing.CHECKED_COLUMNS
            problems.notes.append(
                f"line 1: column {name!r} is named {len(where)} times (columns {', '.join(map(str, where))}); "
                + (
                    "the first is read, lines where the copies differ are rejected"
                    if read
                    else "not an order-file column"
                )
            )


def read_records(path: Path, chunk_rows: int, problems: FileProblems) -> Iterator[pa.RecordBatch]:
    """Arrow record batches of a .csv or .parquet order-line file (every CSV cell as text)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            source = pq.ParquetFile(path)
            names = source.schema_arrow.names
            check_columns(names, str(path))
            _duplicates(names, problems)
            dictionary = [name for name in ("buyer_id",) if name in names]  # optional: only when present
            source = pq.ParquetFile(path, read_dictionary=dictionary)
            yield from source.iter_batches(batch_size=chunk_rows, use_threads=False)
        except (OSError, pa.ArrowInvalid) as exc:
            raise InputError(str(path), f"cannot read Parquet: {exc}") from None
    elif suffix == ".csv":
        yield from _csv_records(path, chunk_rows, problems)
    else:
        raise InputError(str(path), "orders must be a .csv or .parquet file")


def _csv_records(path: Path, chunk_rows: int, problems: FileProblems) -> Iterator[pa.RecordBatch]:
    encoding = csv_encoding(path)
    # Single-threaded parsing keeps each broken row's physical line number.
    read = pa_csv.ReadOptions(block_size=max(1 << 16, chunk_rows * 64), encoding=encoding, use_threads=False)
    try:
        probe = pa_csv.ParseOptions(invalid_row_handler=lambda row: "skip")  # broken rows: reported when read
        names = pa_csv.open_csv(path, read_options=read, parse_options=probe).schema.names
    except (OSError, pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read CSV ({encoding}): {exc}") from None
    check_columns(names, str(path))
    _duplicates(names, problems)
    id_column = [parsing.ALIASES.get(name, name) for name in names].index("order_id")

    def ragged(row: pa_csv.InvalidRow) -> str:
        cells = next(csv.reader([row.text]), [])
        order = cells[id_column].strip() if len(cells) > id_column else ""
        line = f"line {row.number}" if row.number is not None else "a line"
        text = f"{line}: {row.actual_columns} fields where the header has {row.expected_columns}; not read"
        problems.notes.append(text + (f" (order {order})" if order else ""))
        problems.unread_rows += 1
        if order:
            problems.pending.setdefault(order, text)
        return "skip"

    types = {name: pa.string() for name in names}  # bad cells become line errors, not a failed file
    convert = pa_csv.ConvertOptions(column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False)
    try:
        reader = pa_csv.open_csv(
            path, read_options=read, parse_options=pa_csv.ParseOptions(invalid_row_handler=ragged),
            convert_options=convert,
        )  # fmt: skip
        yield from reader
    except (OSError, pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read CSV ({encoding}): {exc}") from None
