"""A minimal XLSX workbook made with the standard library, as a spreadsheet program saves
one (shared strings, numbers as numbers, cell references), for the population upload's
tests. No mock: the extension reads it as it reads SCB's files."""
from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def workbook(rows: list[list[object]]) -> bytes:
    shared: list[str] = []
    sheet_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_column(c)}{r}"
            if isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{float(value) if isinstance(value, float) else value}</v></c>')
            elif value is not None:
                if value not in shared:
                    shared.append(str(value))
                cells.append(f'<c r="{ref}" t="s"><v>{shared.index(str(value))}</v></c>')
        sheet_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {_NS}><sheets><sheet name="Tabell" '
                   'sheetId="1"/></sheets></workbook>')
        z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst {_NS}>'
                   + "".join(f"<si><t>{escape(s)}</t></si>" for s in shared) + "</sst>")
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet {_NS}><sheetData>'
                   + "".join(sheet_rows) + "</sheetData></worksheet>")
    return out.getvalue()
