"""A stay export's total row over folios in more than one currency
(`claimflow.verify.source.read_source`, `claimflow.parse.tables.Table.check_totals`).

Trial 48: the export's room revenue was added into one sum whatever each
row's currency, so a total row of EUR and USD folios was checked against a
meaningless mixed sum: 412.50 EUR + 298.00 USD "equalled" 710.50 (a false
pass) and a right per-currency total was refused. Sums here are hand
arithmetic, a figure with a sign is written by Babel.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.numbers import format_currency

from claimflow import Store, load_client
from claimflow.errors import UnreadableInput
from claimflow.verify.source import read_source
from tests.conftest import SAMPLES
from tests.test_cli import run

COSTA = str(SAMPLES / "clients/costa-azul.yaml")  # stays, currency EUR
HEADER = (
    "hotel_code,confirmation_number,guest_name,arrival,departure,room_revenue,"
    "currency,rate_code,booking_channel,folio_number\n"
)
MADRID = "CAZ-MAD,MD4471902,NUNEZ/JOSE MR,2026-10-02,2026-10-05,412.50,EUR,BAR,DIRECT,F-1\n"
VALENCIA = "CAZ-VLC,VL3390017,DUPRE/ANN MS,2026-10-10,2026-10-12,298.00,EUR,BAR,DIRECT,F-2\n"
NEW_YORK = "CAZ-NYC,NY5580311,SMITH/ANN MS,2026-10-06,2026-10-08,298.00,USD,BAR,DIRECT,F-3\n"


def _total(figure: str, currency: str = "") -> str:
    return f'Total,,,,,"{figure}",{currency},,,\n'


def _read(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    path = tmp_path / "stays.csv"
    path.write_text(text, encoding="utf-8")
    notes: list[str] = []
    records = list(read_source(path, load_client(COSTA), notes))
    return len(records), notes


def test_one_currencys_total_is_checked_in_that_currency(tmp_path: Path) -> None:
    # 412.50 + 298.00 = 710.50 EUR, the figure as Babel writes euros
    figure = format_currency(710.50, "EUR", locale="en_US")
    assert figure == "€710.50"
    assert _read(tmp_path, HEADER + MADRID + VALENCIA + _total(figure)) == (
        2, ["row 4: total row, equals the rows' sum; not a record"],
    )  # fmt: skip
    with pytest.raises(UnreadableInput) as caught:
        _read(tmp_path, HEADER + MADRID + VALENCIA + _total("700.00"))
    assert str(caught.value).endswith(
        "stays.csv: row 4:room_revenue: total row says 700.00 ('700.00'), but the "
        "rows above sum to 710.50: a row missing or changed?"
    )


@pytest.mark.parametrize("figure", ["710.50", "800.00"])
def test_a_total_over_two_currencies_is_named_unchecked(
    tmp_path: Path, figure: str
) -> None:
    """412.50 EUR + 298.00 USD is no amount: 710.50 neither passes as their
    sum nor is 800.00 refused against it; the note says why, in the words a
    claim file's total uses (`claimflow.parse.claim_totals`)."""
    assert _read(tmp_path, HEADER + MADRID + NEW_YORK + _total(figure)) == (
        2,
        [
            f"row 4: total row, '{figure}' under 'room_revenue' not checked: the "
            "rows' amounts are in EUR and USD; not a record"
        ],
    )


def test_a_total_row_naming_its_currency_is_checked_against_that_currencys_rows(
    tmp_path: Path,
) -> None:
    per_currency = _total("412.50", "EUR") + _total("298.00", "USD")
    assert _read(tmp_path, HEADER + MADRID + NEW_YORK + per_currency) == (
        2,
        [
            "row 4: total row, equals the rows' sum in EUR; not a record",
            "row 5: total row, equals the rows' sum in USD; not a record",
        ],
    )
    with pytest.raises(UnreadableInput) as caught:
        _read(tmp_path, HEADER + MADRID + NEW_YORK + _total("300.00", "usd"))
    assert str(caught.value).endswith(
        "stays.csv: row 4:room_revenue: total row says 300.00 ('300.00'), but the "
        "rows above in USD sum to 298.00: a row missing or changed?"
    )
    # a currency no row is in: none of the rows' revenue is in it
    with pytest.raises(UnreadableInput, match="rows above in GBP sum to 0:"):
        _read(tmp_path, HEADER + MADRID + NEW_YORK + _total("412.50", "GBP"))


def test_source_import_of_a_two_currency_export_stores_it_with_the_note(
    tmp_path: Path,
) -> None:
    path = tmp_path / "stays.csv"
    path.write_text(HEADER + MADRID + NEW_YORK + _total("710.50"), encoding="utf-8")
    db = str(tmp_path / "c.db")
    code, out, _ = run("source", "import", str(path), "--client", COSTA, "--db", db)
    assert code == 0
    assert out.startswith(
        f"note: {path}: row 4: total row, '710.50' under 'room_revenue' not "
        "checked: the rows' amounts are in EUR and USD; not a record\n"
        f"{path}: 2 source records imported\n"
    )
    with Store.open(db) as store:
        (count,) = store.db.execute("SELECT count(*) FROM source_records").fetchone()
    assert count == 2
