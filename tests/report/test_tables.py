"""Reports as people open them: a workbook, CSV files, a web page, a terminal.

Found by issue 26: xlsx exports had no header style, widths, frozen panes
or number and date formats, dates were text and the neutralising ``'``
showed in the cell; CSV put several tables in one file with integers as
floats; HTML and terminal headers were snake_case, and in an 80-column
terminal they were cut to ``pe…``.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from rich.console import Console

from claimflow import Store, ingest, load_client
from claimflow.parse.checks import EntryCheck
from claimflow.report.columns import COLUMNS
from claimflow.report.sla import Report, build_report, to_html, write_report
from claimflow.report.tables import print_table, shown_table
from tests.conftest import FIXTURES, SAMPLES
from tests.test_cli import run

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
BR = FIXTURES / "clients" / "vendas-br.yaml"
HOSTILE = '=HYPERLINK("http://x","y")'
CHECKS = [  # operator, day, checked, errors
    ("ana", date(2026, 11, 10), 12345, 3),
    (HOSTILE, date(2026, 11, 10), 2000, 50),
    ("ben", date(2026, 11, 11), 40, 0),
]
HEADER = (
    "Nº Pedido;Matrícula;Revenda;Nota Fiscal;Data da NF;Código do Produto;"
    "Quantidade;Preço Unitário;Valor Total;Recebido em;NF anexada\n"
)


def _qa(store: Store, config: Path) -> Report:
    client = load_client(config)
    with store.transaction():
        store.add_entry_checks(
            client.key,
            [
                EntryCheck(who, "all", day, checked, errors, None, n)
                for n, (who, day, checked, errors) in enumerate(CHECKS, start=2)
            ],
            "test",
        )
    return build_report("qa", store, client, "2026-11", NOW)


def _sla(store: Store, write: Callable[..., Path]) -> Report:
    client = load_client(BR)
    received = "2026-10-25T10:00:00-03:00"
    rows = "".join(
        f"BR-02{n};1000{n};R-SP-01;;15/10/2026;REF-100;1;1.234,56;1.234,56;"
        f"{received};sim\n"
        for n in range(3)
    )
    ingest([write("outubro.csv", HEADER + rows)], client, store)
    return build_report("sla", store, client, "2026-10", NOW)


def test_every_column_of_the_reports_is_listed(
    store: Store, write: Callable[..., Path]
) -> None:
    reports = [_qa(store, BR), _sla(store, write)]
    for report in reports:
        for name, frame in report.tables.items():
            unlisted = [c for c in frame.columns if c not in COLUMNS]
            assert not unlisted, f"{name}: {unlisted}"


def test_a_workbook_has_styled_typed_sheets(store: Store, tmp_path: Path) -> None:
    report = _qa(store, SAMPLES / "clients/acme-tools.yaml")
    out = tmp_path / "qa.xlsx"
    write_report(report, out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Definitions", *report.tables]
    sheet = book["By operator"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Operator", "Fields checked", "Errors", "Errors per 10,000"]
    assert all(c.font.b and c.fill.fgColor.rgb.endswith("DCE3EC") for c in sheet[1])
    assert sheet.freeze_panes == "B2"
    assert all(
        (sheet.column_dimensions[letter].width or 0) >= 8 for letter in "ABCDEFGHI"
    )
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    ana = rows["ana"]
    assert (ana[1].value, ana[1].number_format) == (12345, "#,##0")
    assert isinstance(ana[1].value, int)
    assert isinstance(ana[3].value, float) and ana[3].number_format == "#,##0.0"
    # a keyed formula is text: shown as keyed, no quote, never run
    hostile = rows[HOSTILE][0]
    assert (hostile.value, hostile.data_type, hostile.quotePrefix) == (
        HOSTILE,
        "s",
        True,
    )
    chart = book["Control chart (daily)"]
    day = chart.cell(row=2, column=1)
    assert day.value == datetime(2026, 11, 10) and day.number_format == "yyyy-mm-dd"
    assert chart.cell(row=2, column=3).number_format == "0.00%"
    assert chart.freeze_panes == "A2"
    definitions = [r[1] for r in book["Definitions"].iter_rows(values_only=True)]
    assert definitions[1:3] == [report.title, report.verdict]
    assert definitions[3] == report.notes[0]


def test_csv_is_one_file_per_table(store: Store, tmp_path: Path) -> None:
    report = _qa(store, SAMPLES / "clients/acme-tools.yaml")
    folder = write_report(report, tmp_path / "qa.csv")
    assert folder == tmp_path / "qa"
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "01-by-operator.csv",
        "02-by-field.csv",
        "03-by-month.csv",
        "04-control-chart-daily.csv",
        "definitions.csv",
    ]
    with (folder / "01-by-operator.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:4] == ["Operator", "Fields checked", "Errors", "Errors per 10,000"]
    ana = next(r for r in rows if r[0] == "ana")
    assert ana[:4] == ["ana", "12345", "3", "2.43"]
    assert any(r[0] == "'" + HOSTILE for r in rows)  # CSV keeps the quote
    with (folder / "04-control-chart-daily.csv").open(encoding="utf-8-sig") as f:
        chart = list(csv.DictReader(f))
    assert chart[0]["Day"] == "2026-11-10" and chart[0]["Out of control"] in (
        "yes",
        "no",
    )
    archive = write_report(report, tmp_path / "qa.zip")
    with zipfile.ZipFile(archive) as z:
        assert sorted(z.namelist()) == names
        data = z.read("01-by-operator.csv")
    assert data == (folder / "01-by-operator.csv").read_bytes()


def test_a_report_of_one_table_is_one_csv(store: Store, tmp_path: Path) -> None:
    client = load_client(SAMPLES / "clients/acme-tools.yaml")
    report = build_report("trends", store, client, None, NOW)
    report.tables = {"By week received": _weeks()}
    out = write_report(report, tmp_path / "trends.csv")
    assert out == tmp_path / "trends.csv"
    with out.open(encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f)) == [
            ["Period", "Received", "On-time share"],
            ["2026-10-05/2026-10-11", "16", "0.1429"],
        ]


def _weeks() -> pd.DataFrame:
    """A week's figures as `summarize` gives them: counts as floats."""
    return pd.DataFrame(
        {
            "period": ["2026-10-05/2026-10-11"],
            "received": [16.0],
            "on_time_share": [1 / 7],
        }
    )


def test_html_has_human_headers_in_the_clients_locale(
    store: Store, write: Callable[..., Path]
) -> None:
    qa = to_html(_qa(store, BR))
    sla = to_html(_sla(store, write))
    for page in (qa, sla):
        headers = re.findall(r"<th[^>]*>([^<]*)</th>", page)
        assert headers and not [h for h in headers if "_" in h]
        assert 'class="table-wrap"' in page
    # pt_BR: 12.345 fields, 2,4 errors per 10,000, 2,5% on a control chart day
    assert '<td class="num">12.345</td>' in qa
    assert '<td class="num">2,4</td>' in qa
    assert re.search(r'<td class="num">\d+,\d{2}%</td>', qa)
    assert "10 de nov. de 2026" in qa
    assert '<td class="num">3</td>' in sla  # three claims received, not 3.000


def test_an_80_column_terminal_wraps_headers(store: Store) -> None:
    report = _qa(store, SAMPLES / "clients/acme-tools.yaml")
    console = Console(width=80, record=True, color_system=None)
    for name, frame in report.tables.items():
        print_table(console, name, shown_table(frame, "en_US"))
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text
    words = {w for c in COLUMNS.values() for w in c.header.split()}
    for column in report.tables["By operator"].columns:
        for word in COLUMNS[column].header.split():
            assert word in text and word in words
    # too wide: in parts, each repeating the operator
    parts = re.search(r"By operator \(1/(\d)\)", text)
    assert parts is not None and text.count("│ ana ") == int(parts[1]) > 1


def test_the_cli_writes_a_folder_of_csv_files(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with Store.open(db) as store:
        _qa(store, SAMPLES / "clients/acme-tools.yaml")
    config = str(SAMPLES / "clients/acme-tools.yaml")
    common = ("--client", config, "--db", str(db), "--period", "2026-11")
    code, out, _ = run("report", "qa", *common, "--out", str(tmp_path / "qa.csv"))  # fmt: skip
    assert (code, out) == (
        0,
        f"Acme Power Tools Dealer Rewards: data-entry QA report written to "
        f"{tmp_path / 'qa'}/\n",
    )
    code, out, _ = run("report", "qa", *common, "--out", str(tmp_path / "qa.zip"))  # fmt: skip
    assert code == 0 and zipfile.is_zipfile(tmp_path / "qa.zip")
    reader = csv.reader(io.StringIO((tmp_path / "qa/03-by-month.csv").read_text()))
    assert next(reader)[0].lstrip("\ufeff") == "Period"


PROBE = (
    "<script>document.body.setAttribute('data-overflow', String("
    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    "))</script></body>"
)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium")
def test_html_tables_fit_a_1280_px_page(
    store: Store, write: Callable[..., Path], tmp_path: Path
) -> None:
    for name, report in (("qa", _qa(store, BR)), ("sla", _sla(store, write))):
        page = tmp_path / f"{name}.html"
        page.write_text(to_html(report).replace("</body>", PROBE), encoding="utf-8")
        dom = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--window-size=1280,900", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120, check=True,
        ).stdout  # fmt: skip
        assert 'data-overflow="0"' in dom, name


def test_write_table_keeps_formula_text_as_text_without_a_visible_quote(
    tmp_path: Path,
) -> None:
    from claimflow.report import write_table

    out = tmp_path / "claims.xlsx"
    assert write_table([(HOSTILE, -5), ("plain", 3)], ["name", "n"], out) == 2
    rows = list(openpyxl.load_workbook(out)["claims"].iter_rows(min_row=2))
    cell = rows[0][0]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (HOSTILE, "s", True)
    assert (rows[0][1].value, rows[1][0].value, rows[1][0].quotePrefix) == (
        -5,
        "plain",
        False,
    )
    csv_out = tmp_path / "claims.csv"
    write_table([(HOSTILE, -5)], ["name", "n"], csv_out)
    assert f"'{HOSTILE}" in csv_out.read_text(encoding="utf-8-sig").replace('""', '"')


@pytest.mark.parametrize(
    ("rows", "line"),
    [(1, "1 notice to participants"), (2, "2 notices to participants")],
)
def test_the_summary_counts_notices_in_the_singular_for_one(
    write: Callable[..., Path], rows: int, line: str
) -> None:
    from rich.console import Console

    from claimflow import check, load_client
    from claimflow.report import render_summary

    header = "Rep #,Invoice No,Invoice Date,Product Code,Qty,Serials,Received\n"
    # no invoice date: each claim is pended, and each rep gets one notice
    body = "".join(
        f"10423{n},INV-100{n},,DRL-200,1,DR1000000{n},2026-10-20\n" for n in range(rows)
    )
    result = check(
        [write("c.csv", header + body)],
        load_client(SAMPLES / "clients/acme-tools.yaml"),
    )
    console = Console(record=True, width=120)
    render_summary(result, console)
    assert line in console.export_text()


def test_the_claims_export_lists_each_reason_code_once_in_the_order_found(
    store: Store, write: Callable[..., Path]
) -> None:
    """AC-1003's line total is checked before its SKU: the codes come in that
    order on either backend (``group_concat(DISTINCT)`` gave SQLite's scan
    order there and PostgreSQL's sorted order)."""
    from claimflow.store.reports import claim_export_rows

    header = (SAMPLES / "acme-tools/claims/october.csv").read_text().splitlines()[0]
    claims = write(
        "two.csv",
        f"{header}\n"
        "AC-1002,,James O'Neill,D-CHI-01,Midwest Supply Co,INV-20431,13/45/2026,"
        "SAW-310,x,229.00,229.00,SW20000105,2026-10-20T09:20:00,no\n"
        "AC-1003,104876,James O'Neill,D-CHI-01,Midwest Supply Co,INV-20432,10/05/2026,"
        "ZZZ-310,1,229.00,999.00,SW20000105,2026-10-20T09:20:00,no\n",
    )
    ingest([claims], load_client(SAMPLES / "clients/acme-tools.yaml"), store)
    rows = list(claim_export_rows(store))
    assert [row[1] for row in rows] == ["AC-1002", "AC-1003"]  # the references
    codes = [row[9] for row in rows]
    assert codes == [
        "invalid_date,invalid_number,missing_field",
        "line_total_mismatch,ineligible_sku",
    ]
