"""An openpyxl Workbook that writes its big tables as raw SpreadsheetML when it is saved.

openpyxl spends about 25 µs per cell serialising through et_xmlfile (and still ~9 µs with lxml):
the answers sheet of a 1,000-participant session (46,000 rows) alone took ~5 s, over the 3 s budget
for the whole export (bench/bench_export.py's target). So sheets are built with openpyxl as usual
(header, styles, widths, frozen panes, filters, charts), and their data rows are handed to
`BulkWorkbook.append_bulk`: on save, openpyxl writes the workbook, and the rows are streamed into
each sheet's `<sheetData>` by a small serialiser that knows only the value types an export holds.
Their strings go to a shared string table (openpyxl 3.1 writes none; it writes its own cells'
strings inline): the answers sheet repeats 46 statements 1,000 times, and inline it was 27 MB of
XML to compress on save and to parse on opening.
"""

import datetime
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.inputs import xml_safe

DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
# Excel's day 0 as the 1900 date system counts it from March 1900 on (Lotus' leap-year bug
# shifts the earlier days); exported dates are all far later.
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
_DAY = datetime.timedelta(days=1)
_ROWS_PER_CHUNK = 2000
# zlib's fastest level, not the default 6: compressing was a third of a large workbook's save.
# The file is about a quarter larger (2,000 participants: 3.6 → 4.7 MB), which a download
# takes in its stride (bench/bench_export.py, docs/performance.md).
COMPRESS_LEVEL = 1
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')


@dataclass
class _Bulk:
    ws: Worksheet
    first_row: int
    rows: Iterable[Sequence[Any]]
    count: int
    width: int


class BulkWorkbook(Workbook):  # type: ignore[misc]  # openpyxl has no types
    """A Workbook whose `append_bulk` rows are written fast at save time.

    The bulk rows are not visible through the in-memory worksheet (it still ends at the
    header); read the saved file to see them. Nothing may be written to a sheet below its
    bulk rows.

    The rows are serialised while the file is written, a chunk at a time, straight into the
    compressed part: neither their XML nor (when they are given as an iterable) the rows
    themselves are ever all in memory at once.
    """

    def __init__(self) -> None:
        super().__init__()
        self._bulk: list[_Bulk] = []
        # The cell formats of dates in bulk rows, registered in the workbook's style table once.
        self._datetime_style = self._style_id(DATETIME_FORMAT)
        self._date_style = self._style_id(DATE_FORMAT)

    def _style_id(self, number_format: str) -> int:
        probe = WriteOnlyCell(self.active)
        probe.number_format = number_format
        return int(probe.style_id)

    def append_bulk(
        self,
        ws: Worksheet,
        rows: Iterable[Sequence[Any]],
        *,
        count: int | None = None,
        width: int | None = None,
    ) -> None:
        """Rows (str, int, float, bool, date, naive datetime or None) to write below what `ws`
        holds now: a sequence, or an iterable read once at save time that yields `count` rows
        of at most `width` cells."""
        if any(b.ws is ws for b in self._bulk):
            raise ValueError(f"sheet {ws.title!r} already has bulk rows")
        if count is None or width is None:
            if not isinstance(rows, Sequence):
                raise ValueError("an iterable of rows needs its count and width")
            count = len(rows)
            width = max((len(row) for row in rows), default=0)
        self._bulk.append(
            _Bulk(ws=ws, first_row=ws.max_row + 1, rows=rows, count=count, width=width)
        )

    def bulk_last_row(self, ws: Worksheet) -> int:
        """The sheet's last row once saved, bulk rows included."""
        for bulk in self._bulk:
            if bulk.ws is ws:
                return bulk.first_row + bulk.count - 1
        return int(ws.max_row)

    def save(self, filename: str | IO[bytes]) -> None:
        if not self._bulk:
            super().save(filename)
            return
        for bulk in self._bulk:
            if bulk.ws.max_row >= bulk.first_row:
                raise ValueError(f"sheet {bulk.ws.title!r} was written below its bulk rows")
        plain = BytesIO()
        super().save(plain)
        # ws.path names the sheet's part in the package; openpyxl numbers the parts on save.
        parts = {bulk.ws.path.lstrip("/"): bulk for bulk in self._bulk}
        strings: dict[str, int] = {}
        serials: dict[Any, str] = {}
        with (
            ZipFile(plain) as src,
            ZipFile(filename, "w", ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as dst,
        ):
            if _SHARED_STRINGS in src.namelist():
                raise RuntimeError("openpyxl wrote a shared string table: merge it with ours")
            # The two parts that name the shared strings wait until every bulk part is
            # written (openpyxl writes them after the sheets anyway).
            manifests = []
            for info in src.infolist():
                part = parts.pop(info.filename, None)
                if part is not None:
                    rows = rows_xml(
                        part.rows,
                        first_row=part.first_row,
                        width=part.width,
                        strings=strings,
                        datetime_style=self._datetime_style,
                        date_style=self._date_style,
                        serials=serials,
                    )
                    with dst.open(info.filename, "w") as out:
                        for chunk in _spliced(src.read(info), part, rows):
                            out.write(chunk)
                elif info.filename in (_CONTENT_TYPES, _WORKBOOK_RELS):
                    manifests.append(info)
                else:
                    dst.writestr(info, src.read(info))
            for info in manifests:
                data = src.read(info)
                if strings and info.filename == _CONTENT_TYPES:
                    data = _insert_before(data, b"</Types>", _SST_CONTENT_TYPE)
                elif strings and info.filename == _WORKBOOK_RELS:
                    data = _insert_before(data, b"</Relationships>", _SST_RELATIONSHIP)
                dst.writestr(info, data)
            if strings:
                with dst.open(_SHARED_STRINGS, "w") as out:
                    out.write(
                        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                        + f' uniqueCount="{len(strings)}">'.encode()
                    )
                    texts = list(strings)  # in index order: a dict keeps insertion order
                    for start in range(0, len(texts), _ROWS_PER_CHUNK):
                        batch = texts[start : start + _ROWS_PER_CHUNK]
                        out.write("".join(map(_string_item, batch)).encode())
                    out.write(b"</sst>")


_SHARED_STRINGS = "xl/sharedStrings.xml"
_CONTENT_TYPES = "[Content_Types].xml"
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_SST_CONTENT_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_SST_RELATIONSHIP = (
    b'<Relationship Id="rIdBulkSharedStrings" Target="sharedStrings.xml" Type="http://'
    b'schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
)


def _insert_before(xml: bytes, closing: bytes, element: bytes) -> bytes:
    head, found, tail = xml.rpartition(closing)
    if not found:
        raise ValueError(f"no {closing!r} in the package part")
    return head + element + closing + tail


def _spliced(sheet_xml: bytes, bulk: _Bulk, rows: Iterator[bytes]) -> Iterator[bytes]:
    last_row = bulk.first_row + bulk.count - 1
    if bulk.count:
        last_col = max(bulk.width, bulk.ws.max_column)
        ref = f"A1:{get_column_letter(last_col)}{last_row}"
        sheet_xml = _DIMENSION.sub(f'<dimension ref="{ref}"/>'.encode(), sheet_xml, count=1)
    if b"<sheetData/>" in sheet_xml:
        head, tail = sheet_xml.split(b"<sheetData/>", 1)
        head += b"<sheetData>"
        tail = b"</sheetData>" + tail
    else:
        head, tail = sheet_xml.split(b"</sheetData>", 1)
        tail = b"</sheetData>" + tail
    yield head
    yield from rows
    yield tail


def _string_item(text: str) -> str:
    # What XML 1.0 cannot hold (stored before the input rules, or around them) would make the
    # whole workbook unreadable: replaced, not written.
    text = escape(xml_safe(text))
    if text != text.strip():
        return f'<si><t xml:space="preserve">{text}</t></si>'
    return f"<si><t>{text}</t></si>"


def rows_xml(
    rows: Iterable[Sequence[Any]],
    *,
    first_row: int,
    width: int,
    strings: dict[str, int],
    datetime_style: int,
    date_style: int,
    serials: dict[Any, str] | None = None,
) -> Iterator[bytes]:
    """`<row>` elements for `rows`, numbered from `first_row`, as UTF-8 chunks. Strings go
    into `strings` (text -> index in the shared string table), which grows as needed;
    `serials` keeps each date's and time's cell body once made (rows repeat them)."""
    # Each cell's start per column, and the row number as text once per row: a large sheet has
    # millions of cells, and formatting the same row number into each was a tenth of the save.
    starts = [f'<c r="{get_column_letter(i)}' for i in range(1, width + 1)]
    # What follows a cell's reference, per string, per small number and per date or time:
    # exports repeat few distinct strings (elements, statements, seats), scores and times (to
    # the second) many times.
    tails: dict[str, str] = {}
    numbers: dict[int, str] = {}
    serials = {} if serials is None else serials
    out: list[str] = []
    r = first_row
    for row in rows:
        cells = []
        number = str(r)
        for start, value in zip(starts, row, strict=False):
            kind = type(value)
            if kind is str:
                tail = tails.get(value)
                if tail is None:
                    index = strings.get(value)
                    if index is None:
                        index = strings[value] = len(strings)
                    tail = tails[value] = f'" t="s"><v>{index}</v></c>'
                cells.append(f"{start}{number}{tail}")
            elif value is None:
                continue
            elif kind is datetime.datetime:
                tail = serials.get(value)
                if tail is None:
                    if value.tzinfo is not None:
                        raise ValueError("Excel has no time zones: pass naive local datetimes")
                    serial = (value - _EXCEL_EPOCH) / _DAY
                    tail = serials[value] = f'" s="{datetime_style}"><v>{serial!r}</v></c>'
                cells.append(f"{start}{number}{tail}")
            elif kind is int:
                tail = numbers.get(value)
                if tail is None:
                    tail = f'"><v>{value}</v></c>'
                    if -1000 < value < 1000:
                        numbers[value] = tail
                cells.append(f"{start}{number}{tail}")
            elif kind is float:
                if math.isfinite(value):
                    cells.append(f'{start}{number}"><v>{value!r}</v></c>')
            elif kind is bool:
                cells.append(f'{start}{number}" t="b"><v>{int(value)}</v></c>')
            elif kind is datetime.date:
                serial_days = (value - _EXCEL_EPOCH.date()).days
                cells.append(f'{start}{number}" s="{date_style}"><v>{serial_days}</v></c>')
            else:
                raise TypeError(f"cannot write {kind.__name__} to a bulk row")
        out.append(f'<row r="{number}">{"".join(cells)}</row>')
        r += 1
        if len(out) >= _ROWS_PER_CHUNK:
            yield "".join(out).encode()
            out.clear()
    if out:
        yield "".join(out).encode()
