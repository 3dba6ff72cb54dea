"""The rendering toolkit: how figures are drawn and printed, apart from which figures a report holds.

- ``charts``: one chart definition (inline SVG) for pages and PDF alike;
- ``tables``: report tables (cells, columns, totals) that a page, a PDF and an Excel sheet render;
- ``suppression``: the committee's small-cell rule, in one place, for every table and figure;
- ``excel`` and ``pdf``: a table set as an Excel workbook, a rendered template as a PDF.

The toolkit knows no report and no app's models: the features (``roret.reports.kpi_report``,
the economy and capacity pages) import it, never the other way (an import contract holds this).
"""
