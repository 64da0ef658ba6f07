"""Every chart's data as a table and a CSV file, from the same data file the chart is drawn from.

A chart is a picture of numbers; a reader who cannot see it, or who wants the numbers, gets them
here: on the web as a table in a ``<details>`` element after the chart with a CSV download, and
in the EPUB as a table after the chart. Nothing is typed twice, so the table cannot drift from the
chart (``figures.figure_data`` parses the file once, with the same checks as the drawing).
"""

from __future__ import annotations

import calendar
import csv
import io
from dataclasses import dataclass
from html import escape
from typing import Any

from .figures import FigureSpec, figure_data, value_label

__all__ = ["DataTable", "csv_text", "data_table", "details_html", "table_html"]


@dataclass(frozen=True)
class DataTable:
    figure: str                          # the figure's id (its data file's name)
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]    # as shown: "19%"
    raw: tuple[tuple[str, ...], ...]     # as in the data file: "19"
    themes: tuple[str, ...] = ()         # a timeline's theme key per row, for filtering on the web


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def data_table(spec: FigureSpec) -> DataTable:
    kind, parsed = figure_data(spec)
    data: Any = parsed                   # figures' own typed records, read by attribute
    unit = str(spec.data.get("unit", ""))
    measure = f"Value ({unit})" if unit.strip() else "Value"
    caption = f"Data for the chart: {spec.title}"
    if kind in ("bars", "hbars"):
        bars = data
        notes = any(b.note for b in bars)
        header = ("Category", *(("Note",) if notes else ()), measure)
        rows = tuple((b.label, *((b.note,) if notes else ()), value_label(b.value, unit)) for b in bars)
        raw = tuple((b.label, *((b.note,) if notes else ()), _num(b.value)) for b in bars)
        return DataTable(spec.id, caption, header, rows, raw)
    if kind == "grouped-bars":
        series, groups = data
        header = ("Category", *(s.label for s in series))
        rows = tuple((g.label, *(value_label(v, unit) for v in g.values)) for g in groups)
        raw = tuple((g.label, *(_num(v) for v in g.values)) for g in groups)
        return DataTable(spec.id, caption, header, rows, raw)
    _start, _end, legend, milestones = data
    names = dict(legend)
    header = ("Year", "Theme", "Milestone")
    shown = tuple((f"{calendar.month_name[m.month]} {m.year}" if m.month else str(m.year), names.get(m.theme, m.theme), m.text)
                  for m in milestones)
    raw = tuple((f"{m.year}-{m.month:02d}" if m.month else str(m.year), names.get(m.theme, m.theme), m.text)
                for m in milestones)
    return DataTable(spec.id, caption, header, shown, raw, tuple(m.theme for m in milestones))


def csv_text(table: DataTable) -> str:
    """RFC 4180 CSV (comma, CRLF, quotes where needed), header first, numbers as in the data file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows(table.raw)
    return out.getvalue()


def table_html(table: DataTable, caption_id: str = "") -> str:
    """The table as HTML that is also well-formed XHTML (for the EPUB)."""
    cid = f' id="{escape(caption_id)}"' if caption_id else ""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in table.header)
    keys = table.themes or ("",) * len(table.rows)
    body = "".join((f'<tr data-theme="{escape(k)}">' if k else "<tr>") + f'<th scope="row">{escape(r[0])}</th>'
                   + "".join(f"<td>{escape(c)}</td>" for c in r[1:]) + "</tr>" for r, k in zip(table.rows, keys, strict=True))
    return (f'<table class="figure-data-table"><caption{cid}>{escape(table.caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def details_html(table: DataTable, csv_href: str) -> str:
    """For the web: the table behind a disclosure after the chart, and the CSV to download. (The web
    edition frames every table for scrolling: ``web.wrap_tables``.)"""
    if table.themes:     # a timeline: open, as a list of milestones a reader can filter by theme (timeline.js)
        return (f'<details class="figure-data figure-data-timeline" open><summary>The milestones as a table</summary>\n'
                f'{table_html(table)}\n'
                f'<p class="figure-data-download"><a href="{escape(csv_href)}" download>Download the milestones (CSV, '
                f'{len(table.rows)} rows)</a></p>\n</details>')
    return (f'<details class="figure-data"><summary>Show the data of this chart as a table</summary>\n'
            f'{table_html(table)}\n'
            f'<p class="figure-data-download"><a href="{escape(csv_href)}" download>Download the data (CSV, '
            f'{len(table.rows)} rows)</a></p>\n</details>')
