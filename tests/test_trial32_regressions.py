"""Trial 32 (a Mexican dealer program, a Greek hotel desk, an engineer
driving the library): regressions found by a new user."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from claimflow import Store
from claimflow.written_dates import named_month_date
from tests.conftest import SAMPLES
from tests.test_cli import run

COSTA = str(SAMPLES / "clients/costa-azul.yaml")
STAY_HEADER = (
    "Referencia;Socio;Nombre;Hotel;Confirmacion;Llegada;Salida;Importe habitacion;"
    "Moneda;Folio adjunto\n"
)


def _outcomes(db: Path) -> dict[str, tuple[str, str]]:
    code, out, err = run("export", "claims", "--client", COSTA, "--db", str(db), "--out", "-")
    assert code == 0, err
    rows = csv.DictReader(io.StringIO(out.lstrip("\ufeff")))
    return {r["claim_ref"]: (r["outcome"], r["reason_codes"]) for r in rows}


def test_a_stay_claimed_again_is_a_duplicate_even_after_verification_sent_it_to_review(
    tmp_path: Path,
) -> None:
    """The same stay claimed in a second batch, the hotel's export imported
    before dedupe ran: verification sent both claims to review as an
    'overlapping stay', and dedupe claims skipped claims in review ('0
    duplicates'), so a reviewer clearing the overlap paid the stay twice.
    dedupe claims checks the claims verification put in review too."""
    db = tmp_path / "store.db"
    stay = "300112457;Jose Nunez;CAZ-MAD;MD4471999;02/10/2026;05/10/2026;412,50;EUR;si\n"
    first, again = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(STAY_HEADER + "CA-901;" + stay, encoding="utf-8")
    again.write_text(STAY_HEADER + "CA-902;" + stay, encoding="utf-8")
    source = tmp_path / "stays.csv"
    source.write_text(
        "hotel_code,confirmation_number,guest_name,arrival,departure,room_revenue,"
        "currency,rate_code,booking_channel,folio_number\n"
        "CAZ-MAD,MD4471999,NUNEZ/JOSE MR,2026-10-02,2026-10-05,412.50,EUR,BAR,DIRECT,F-1\n",
        encoding="utf-8",
    )
    members = str(SAMPLES / "costa-azul/participants.csv")
    assert run("ingest", str(first), "--client", COSTA, "--db", str(db))[0] == 0
    assert run("participants", "import", members, "--client", COSTA, "--db", str(db))[0] == 0
    assert run("ingest", str(again), "--client", COSTA, "--db", str(db))[0] == 0
    assert run("source", "import", str(source), "--client", COSTA, "--db", str(db))[0] in (0, 1)
    assert _outcomes(db)["CA-902"] == ("review", "overlapping_stay")
    code, out, _ = run("dedupe", "claims", "--client", COSTA, "--db", str(db))
    assert code == 1 and "1 duplicate" in out
    assert _outcomes(db)["CA-902"] == ("duplicate", "overlapping_stay,duplicate_claim")
    with Store.open(db) as store:
        assert store.count("awards") == 0


def test_an_amount_in_another_currency_asks_for_the_amount_in_the_programs(
    tmp_path: Path,
) -> None:
    """'US$ 100.00' on a claim in pesos was 'not said which currency', and
    the notice only asked to write it again like 1,234.56: resent as
    100.00, a dollar sale would be read as 100 pesos. US$ names USD, and
    the notice asks for the amount in the program's currency."""
    from claimflow.numbers import NumberError, number_format

    mexico = number_format("es_MX")
    with pytest.raises(NumberError, match="'US\\$' is USD in es_MX, the claim's currency is MXN"):
        mexico.read("US$ 100.00", currency="MXN")
    for written in ("1,234.50 pesos", "1,234.50 MN", "$1,234.50 M.N.", "MX$1,234.50"):
        assert mexico.read(written, currency="MXN") == Decimal("1234.50"), written
    db, notices = tmp_path / "store.db", tmp_path / "notices"
    claims = tmp_path / "solicitudes.csv"
    claims.write_text(
        STAY_HEADER
        + "CA-911;300112457;Jose Nunez;CAZ-MAD;MD4471911;02/10/2026;05/10/2026;US$ 412,50;EUR;si\n",
        encoding="utf-8",
    )
    code, _, err = run("ingest", str(claims), "--client", COSTA, "--db", str(db),
                       "--notices", str(notices))  # fmt: skip
    assert code == 1, err
    [notice] = list(notices.glob("*.txt"))
    text = notice.read_text(encoding="utf-8")
    assert "este importe está escrito en otra moneda" in text
    assert "envíe el importe en EUR tal como figura en su factura" in text


def test_a_greek_total_row_in_a_hotel_export_is_checked_not_read_as_a_stay(
    tmp_path: Path,
) -> None:
    """A hotel export's last row 'Σύνολο' (total) holding the right sum was
    refused as a stay missing its confirmation; 'Total' in its place was
    recognised and checked. Its sum is checked now, and a wrong one refused."""
    db = tmp_path / "store.db"
    export = tmp_path / "stays.csv"
    header = (
        "hotel_code,confirmation_number,guest_name,arrival,departure,room_revenue,"
        "currency,rate_code,booking_channel,folio_number\n"
        "CAZ-MAD,MD4471950,PAPADOPOULOS/GEORGIOS MR,2026-10-02,2026-10-05,1234.50,EUR,"
        "BAR,DIRECT,F-1\n"
        "CAZ-MAD,MD4471951,PAPADOPOULOU/MARIA MS,2026-10-03,2026-10-04,2000.00,EUR,"
        "BAR,DIRECT,F-2\n"
    )
    export.write_text(header + "Σύνολο,,,,,3234.50,,,,\n", encoding="utf-8")
    code, out, err = run("source", "import", str(export), "--client", COSTA, "--db", str(db))
    assert code in (0, 1), err
    assert "2 source records imported" in out
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(header + "ΣΥΝΟΛΟ,,,,,3000.00,,,,\n", encoding="utf-8")
    code, _, err = run("source", "import", str(wrong), "--client", COSTA, "--db", str(db))
    assert code == 2 and "3000.00" in err and "3234.50" in err


@pytest.mark.parametrize(
    ("text", "locale", "read"),
    [("4 ΔΕΚΕΜΒΡΙΟΥ 2026", "el_GR", date(2026, 12, 4)),  # capitals drop accents
     ("4 δεκεμβριου 2026", "el_GR", date(2026, 12, 4)),
     ("Παρασκευή 4 Δεκεμβρίου 2026", "el_GR", date(2026, 12, 4)),
     ("viernes, 4 de diciembre de 2026", "es_MX", date(2026, 12, 4)),
     ("4 Aralık 2026 Cuma", "tr_TR", date(2026, 12, 4)),
     ("jueves, 4 de diciembre de 2026", "es_MX",
      "(2026-12-04 is a Friday, not the jueves written)")],
)  # fmt: skip
def test_greek_capitals_and_weekdays_in_written_dates(
    text: str, locale: str, read: date | str
) -> None:
    """'4 ΔΕΚΕΜΒΡΙΟΥ 2026' and dates with their weekday were refused (trial
    32); a weekday that is not the date's own is refused, naming both."""
    found = named_month_date(text, locale)
    if isinstance(read, date):
        assert found == read
    else:
        assert isinstance(found, str) and found.endswith(read)


def test_greek_yes_and_no_are_read_and_a_refusal_names_the_clients_words(
    tmp_path: Path,
) -> None:
    """'ναι' was refused on every row, naming English words only and not the
    client's yes_words/no_words that would read it."""
    greek = tmp_path / "gr.yaml"
    greek.write_text(
        Path(COSTA).read_text(encoding="utf-8").replace("client: costa-azul", "client: gr-test", 1)
        .replace("locale: es_ES", "locale: el_GR", 1),
        encoding="utf-8",
    )  # fmt: skip
    claims = tmp_path / "aitiseis.csv"
    stay = "300112457;Jose Nunez;CAZ-MAD;MD4471990;02/10/2026;05/10/2026;412,50;EUR;"
    claims.write_text(STAY_HEADER + f"G-1;{stay}ναι\nG-2;{stay.replace('990', '991')}ίσως\n",
                      encoding="utf-8")  # fmt: skip
    code, out, _ = run("check", str(claims), "--client", str(greek), "--json", "--verbose")
    problems = json.loads(out)["problems"]
    said = [p["message"] for p in problems if p["field"] == "proof_attached"]
    assert len(said) == 1 and "found 'ίσως' (the client's yes_words and no_words" in said[0]
    assert "ναι" in said[0]


def test_a_replay_change_writes_its_points_as_the_summary_does() -> None:
    """'MX-106: 3333 -> 6566 points' under a summary of '+6,280 points'."""
    from claimflow.replay import Change, ReplayResult
    from claimflow.report.replay import render_replay

    result = ReplayResult(
        client="ventas-mx",
        claims=1,
        changes=[Change("c1", "accepted", "accepted", points_from=3333, points_to=6566,
                        lines=["base: 3,333 -> 6,566"]),
                 Change("c2", "accepted", "pended", points_from=249)],
        names={"c1": "MX-106", "c2": "MX-107"},
    )  # fmt: skip
    lines = render_replay(result).splitlines()
    assert "  MX-106: 3,333 -> 6,566 points (base: 3,333 -> 6,566)" in lines
    assert "  MX-107: accepted -> pended; 249 -> none points" in lines
