"""Spreadsheet exports that no spreadsheet runs (CSV injection).

A CSV cell starting with `=`, `+`, `-` or `@` is read as a formula by Excel,
LibreOffice and Google Sheets; a leading tab or carriage return can hide one
(OWASP). `csv_safe` gives such a cell a leading `'`. It is applied in one place
for every Wagtail export (`install_csv_guard` wraps `SpreadsheetExportMixin
.write_csv_row`, which the ModelViewSet listings, the stock reports such as the
site history, and our own exports all write through) and by the structure
report's own CSV writer. XLSX needs nothing more: Wagtail turns cells openpyxl
takes for formulas back into text.
"""

from decimal import Decimal

from wagtail.admin.views.mixins import SpreadsheetExportMixin

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """The value a CSV cell may hold: numbers as they are, text that looks like a
    formula behind a `'`, whatever object it came from (a model, a lazy string…)."""
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return value  # a negative number is a number, not a formula
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class _SafeRowWriter:
    """A csv writer whose every row goes through `csv_safe`."""

    def __init__(self, writer):
        self.writer = writer

    def writerow(self, row):
        if isinstance(row, dict):
            return self.writer.writerow({field: csv_safe(value) for field, value in row.items()})
        return self.writer.writerow([csv_safe(value) for value in row])


def install_csv_guard():
    """Make every Wagtail CSV export go through `csv_safe` (called once, at start-up).

    Wrapping `write_csv_row` rather than a subclass covers the stock views we
    don't subclass (the site history report, form submissions); the rows are
    cleaned after each view's own preprocessing, which may turn a model into text.
    """
    original = SpreadsheetExportMixin.write_csv_row
    if getattr(original, "csv_guard", False):
        return

    def write_csv_row(self, writer, row_dict):
        return original(self, _SafeRowWriter(writer), row_dict)

    write_csv_row.csv_guard = True
    SpreadsheetExportMixin.write_csv_row = write_csv_row
