"""Reading an uploaded lead file (CSV or .xlsx) in bounded memory, refusing hostile files.

A file is read as a stream of rows and never held whole: a CSV line by line, a workbook
through openpyxl's read-only (streaming) mode. Everything that could make a small file cost
a lot is checked before or while reading, with a one-line reason a user can act on:

- the file's size (``max_bytes``) before anything else;
- for a workbook, the uncompressed sizes its zip declares, summed, before parsing
  (``max_expanded_bytes``). Python's zip reader never inflates a member past its declared
  size, so a zip bomb that lies about its sizes fails its CRC check instead of expanding;
- the number of data rows (``max_rows``), counted as they stream by;
- in a CSV: bytes that are not UTF-8 (a BOM is accepted), NUL bytes, over-long lines or
  fields, each named by its line number;
- in a workbook: reading ends at the first run of ``EMPTY_RUN`` empty rows (sheets are
  often formatted down to row 1,048,576), and the report says where it ended.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import IO, Any

from salestrack.core.config import Settings
from salestrack.core.errors import PayloadTooLarge, Unprocessable

MAX_LINE_BYTES = 1_048_576
MAX_ZIP_MEMBERS = 10_000
EMPTY_RUN = 1_000
FORMATS = ("csv", "xlsx")


class BadImportFile(Unprocessable):
    """The file cannot be read as a lead sheet (422); nothing was written."""


class ImportTooLarge(PayloadTooLarge):
    """The file is over one of the import limits (413); nothing was written."""


@dataclass(frozen=True)
class ImportLimits:
    """How big an import may be; the defaults come from the settings (SALESTRACK_IMPORT_*)."""

    max_bytes: int
    max_rows: int
    max_expanded_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> ImportLimits:
        return cls(
            max_bytes=settings.import_max_bytes,
            max_rows=settings.import_max_rows,
            max_expanded_bytes=settings.import_max_expanded_bytes,
        )


@dataclass(frozen=True)
class SheetRow:
    """One data row: its number as the user sees it (line or sheet row) and its cells."""

    number: int
    cells: dict[str, str]


@dataclass
class SheetInfo:
    """What reading learnt besides the rows: where it stopped early (a workbook's trailing
    empty rows), if it did."""

    stopped_at: int | None = None


def file_format(filename: str, given: str | None = None) -> str:
    """``csv`` or ``xlsx``, from an explicit format or the file name's suffix."""
    fmt = (given or PurePath(filename).suffix.removeprefix(".")).lower()
    if fmt not in FORMATS:
        raise BadImportFile(f"{filename}: not a .csv or .xlsx file")
    return fmt


def read_sheet(
    stream: IO[bytes],
    *,
    fmt: str,
    limits: ImportLimits,
    columns: Collection[str],
    info: SheetInfo | None = None,
    mapping: Mapping[str, str] | None = None,
) -> Iterator[SheetRow]:
    """The file's data rows (the first row is the header, naming only ``columns``); raises
    on a bad or oversize file. Blank rows are skipped.

    ``stream`` must be seekable: the size is checked first and the file is read from the
    start each time this is called. ``mapping`` renames the file's headers (lower-cased)
    to columns; a header mapped to ``""`` is ignored.
    """
    size = stream.seek(0, io.SEEK_END)
    if size > limits.max_bytes:
        raise ImportTooLarge(f"the file is {_mb(size)}; the limit is {_mb(limits.max_bytes)}")
    stream.seek(0)
    names = _Header(frozenset(columns), dict(mapping or {}))
    if fmt == "csv":
        rows = _csv_rows(stream, names)
    else:
        rows = _xlsx_rows(stream, limits, names, info or SheetInfo())
    for count, row in enumerate(rows, start=1):
        if count > limits.max_rows:
            raise ImportTooLarge(f"the file has more than {limits.max_rows:,} rows")
        yield row


def _mb(size: int) -> str:
    return size_text(size)


def size_text(size: int) -> str:
    """A size as a person reads it: MB from 1 MiB up, then KB, then bytes."""
    if size >= 1_048_576:
        return f"{size / 1_048_576:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


@dataclass(frozen=True)
class _Header:
    allowed: frozenset[str]
    mapping: dict[str, str]

    def names(self, raw: list[str]) -> list[str]:
        """The columns of the file's header row, renamed by the mapping (if any)."""
        given = [str(name or "").strip().lower() for name in raw]
        if not self.mapping or not any(given):
            return header_names(raw, self.allowed)
        renamed = [self.mapping.get(n, n) for n in given]
        if not any(renamed):
            raise BadImportFile("no column is mapped to a lead field")
        return header_names(renamed, self.allowed)


def header_names(raw: list[str], allowed: frozenset[str]) -> list[str]:
    """The header's column names, lower-case; refuses an empty, unknown or repeated one
    (an unnamed column is ignored)."""
    names = [str(name or "").strip().lower() for name in raw]
    if not any(names):
        raise BadImportFile("the file has no header row (the first row names the columns)")
    unknown = sorted({n for n in names if n} - allowed)
    if unknown:
        raise BadImportFile(f"unknown columns: {', '.join(unknown)}")
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise BadImportFile(f"repeated columns: {', '.join(repeated)}")
    return names


# --- CSV -------------------------------------------------------------------------------


def _csv_rows(stream: IO[bytes], names: _Header) -> Iterator[SheetRow]:
    lines = _LineCounter(stream)
    reader = csv.reader(lines, strict=True)
    try:
        header = names.names(next(reader, []))
        start = lines.number + 1
        for record in reader:
            cells = {k: v.strip() for k, v in zip(header, record, strict=False) if k}
            if any(cells.values()):
                yield SheetRow(start, cells)
            start = lines.number + 1
    except csv.Error as exc:
        raise BadImportFile(f"line {lines.number}: {exc}") from None


class _LineCounter:
    """Decoded text lines of a byte stream, strictly UTF-8, each checked and numbered."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        raw = self.stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            raise StopIteration
        self.number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise BadImportFile(f"line {self.number} is longer than {_mb(MAX_LINE_BYTES)}")
        if b"\x00" in raw:
            raise BadImportFile(f"line {self.number} contains a NUL byte")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadImportFile(
                f"line {self.number} is not UTF-8 (byte {exc.start + 1}); "
                "save the file as CSV UTF-8 and try again"
            ) from None
        return text.removeprefix("\ufeff") if self.number == 1 else text


# --- xlsx ------------------------------------------------------------------------------


def _xlsx_rows(
    stream: IO[bytes], limits: ImportLimits, names: _Header, info: SheetInfo
) -> Iterator[SheetRow]:
    _check_zip(stream, limits)
    stream.seek(0)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a malformed file
        raise BadImportFile(f"not a readable .xlsx workbook ({_reason(exc)})") from None
    try:
        yield from _sheet_rows(workbook.worksheets[0].iter_rows(values_only=True), names, info)
    except BadImportFile:
        raise
    except Exception as exc:  # a malformed sheet fails while it streams
        raise BadImportFile(f"not a readable .xlsx workbook ({_reason(exc)})") from None
    finally:
        workbook.close()


# openpyxl reads a workbook's shared strings whole, about ten bytes of memory for each byte
# of their XML (a tiny file of a million one-letter strings took 167 MiB): they have a
# bound of their own, well under the expanded-size limit.
SHARED_STRINGS = "sharedStrings.xml"
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024


def _check_zip(stream: IO[bytes], limits: ImportLimits) -> None:
    """Refuse a workbook whose zip declares more than the limit before inflating anything."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise BadImportFile("not a readable .xlsx workbook (not a zip file)") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportTooLarge(f"the workbook has more than {MAX_ZIP_MEMBERS:,} parts")
    strings = sum(m.file_size for m in members if m.filename.endswith(SHARED_STRINGS))
    if strings > MAX_SHARED_STRINGS_BYTES:
        raise ImportTooLarge(
            f"the workbook's text table is {_mb(strings)}; the limit is "
            f"{_mb(MAX_SHARED_STRINGS_BYTES)} (save it as CSV to import a larger file)"
        )
    expanded = sum(member.file_size for member in members)
    if expanded > limits.max_expanded_bytes:
        raise ImportTooLarge(
            f"the workbook expands to {_mb(expanded)}; the limit is "
            f"{_mb(limits.max_expanded_bytes)}"
        )


def _sheet_rows(
    values: Iterator[tuple[Any, ...]], names: _Header, info: SheetInfo
) -> Iterator[SheetRow]:
    header = names.names([_text(v) for v in next(values, ())])
    empty_run = 0
    for number, raw in enumerate(values, start=2):
        cells = {k: _text(v) for k, v in zip(header, raw, strict=False) if k}
        if not any(cells.values()):
            empty_run += 1
            if empty_run >= EMPTY_RUN:
                info.stopped_at = number - EMPTY_RUN + 1
                return
            continue
        empty_run = 0
        yield SheetRow(number, cells)


def _text(value: Any) -> str:
    """A cell as the text a user typed: whole numbers without ``.0``, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


@dataclass(frozen=True)
class Preview:
    """The file's header as written and its first rows, for the column mapping form."""

    headers: list[str]
    rows: list[list[str]]


def preview(stream: IO[bytes], *, fmt: str, limits: ImportLimits, count: int = 5) -> Preview:
    """The header and the first ``count`` non-blank rows, read as text without checking the
    names (the user maps them next); a bad or oversize file is refused as by ``read_sheet``."""
    size = stream.seek(0, io.SEEK_END)
    if size > limits.max_bytes:
        raise ImportTooLarge(f"the file is {_mb(size)}; the limit is {_mb(limits.max_bytes)}")
    stream.seek(0)
    if fmt == "csv":
        lines = _LineCounter(stream)
        try:
            records = list(itertools.islice(csv.reader(lines, strict=True), 50))
        except csv.Error as exc:
            raise BadImportFile(f"line {lines.number}: {exc}") from None
    else:
        records = _xlsx_head(stream, limits)
    if not records or not any(str(c).strip() for c in records[0]):
        raise BadImportFile("the file has no header row (the first row names the columns)")
    headers = [str(c).strip() for c in records[0]]
    body = [[str(c).strip() for c in r] for r in records[1:] if any(str(c).strip() for c in r)]
    width = len(headers)
    return Preview(headers, [(r + [""] * width)[:width] for r in body[:count]])


def _xlsx_head(stream: IO[bytes], limits: ImportLimits) -> list[list[str]]:
    _check_zip(stream, limits)
    stream.seek(0)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        try:
            values = workbook.worksheets[0].iter_rows(values_only=True, max_row=50)
            return [[_text(v) for v in row] for row in values]
        finally:
            workbook.close()
    except Exception as exc:  # openpyxl raises many kinds on a malformed file
        raise BadImportFile(f"not a readable .xlsx workbook ({_reason(exc)})") from None
