"""`queue --cases` at a desk that is not in samples/: a Polish program
(pl_PL, PLN, Europe/Warsaw, Mon-Fri 08:00-16:00, Polish public holidays).

Oracles: the `holidays` package says 11 November 2026 (a Wednesday) is
Independence Day; Babel writes the hours left as the desk reads them; the
business hours are worked by hand below.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
from babel.numbers import format_decimal

from claimflow import Store, case_queue, load_client, open_case, record_case_event
from claimflow.parse.participants import read_participants
from tests.conftest import SAMPLES
from tests.test_cli import run

WAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 11, 12, 9, 0, tzinfo=WAW)  # Thursday, after the holiday


def _client(tmp: Path) -> Path:
    text = (SAMPLES / "clients/acme-tools.yaml").read_text(encoding="utf-8")
    for old, new in (
        ("client: acme-tools", "client: narzedzia-pl"),
        ("locale: en_US", "locale: pl_PL"),
        ("date_order: MDY", "date_order: DMY"),
        ("currency: USD", "currency: PLN"),
        ("timezone: America/Chicago", "timezone: Europe/Warsaw"),
        ("  country: US\n  subdivision: IL\n", "  country: PL\n"),
        (
            'hours: {mon: "08:00-17:00", tue: "08:00-17:00", wed: "08:00-17:00", '
            'thu: "08:00-17:00", fri: "08:00-16:00"}',
            'hours: {mon: "08:00-16:00", tue: "08:00-16:00", wed: "08:00-16:00", '
            'thu: "08:00-16:00", fri: "08:00-16:00"}',
        ),
    ):
        assert old in text, old
        text = text.replace(old, new)
    path = tmp / "narzedzia-pl.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_polish_desk_owes_its_first_response_after_the_holiday(tmp_path: Path) -> None:
    """An inquiry (8 business hours to the first response, 3 business days
    to resolve) opened Tuesday 10 November 15:00: its first response's 8
    hours are Tue 15-16 (1), not Wednesday (Independence Day), Thu 08-15
    (7): due Thursday 15:00, so at Thursday 09:00 6 hours are left (its
    resolution, Monday 16th, comes later).

    A complaint (at most 8 business hours between contacts) opened Monday
    2 November 08:00 and contacted at 09:00 owed its next contact 8 hours
    later, Mon 09-16 (7) and Tue 08-09: Tuesday 3 November 09:00, before
    its resolution (Monday 9th). At Thursday 12th 09:00 it is overdue by
    Tue 09-16 (7), Wed-Fri 4-6 (24), Mon 9 and Tue 10 (16), not the
    holiday, and Thu 08-09 (1): 48 business hours."""
    polish = holidays.Poland(years=2026)
    assert date(2026, 11, 11) in polish and date(2026, 11, 2) not in polish
    config = _client(tmp_path)
    client = load_client(config)
    db = str(tmp_path / "pl.db")
    with Store.open(db) as store:
        with store.transaction():
            store.upsert_participants(
                list(read_participants(SAMPLES / "acme-tools/participants.csv", client.key))
            )
        inquiry = open_case(
            "104233", client, store, case_type="inquiry", owner="ola",
            at=datetime(2026, 11, 10, 15, 0, tzinfo=WAW), operator="ola",
        ).id  # fmt: skip
        complaint = open_case(
            "104876", client, store, case_type="complaint", owner="ola",
            at=datetime(2026, 11, 2, 8, 0, tzinfo=WAW), operator="ola",
        ).id  # fmt: skip
        record_case_event(
            complaint, "contact", client, store,
            at=datetime(2026, 11, 2, 9, 0, tzinfo=WAW), operator="ola",
        )  # fmt: skip
        queue = case_queue([client], store, as_of=NOW)
    got = [(r.case_id, r.term, r.hours_left, r.breached, r.due) for r in queue.rows]
    assert got == [
        (complaint, "follow-up", -48.0, True, datetime(2026, 11, 3, 9, 0, tzinfo=WAW)),
        (inquiry, "first response", 6.0, False, datetime(2026, 11, 12, 15, 0, tzinfo=WAW)),
    ]
    code, out, err = run(
        "queue", "--cases", "--client", str(config), "--db", db,
        "--as-of", "2026-11-12T09:00",
    )  # fmt: skip
    assert code == 0, err
    for hours in (-48.0, 6.0):  # as Babel writes them for pl_PL
        assert format_decimal(hours, format="#,##0.0", locale="pl_PL") in out
    code, out, _ = run(
        "queue", "--cases", "--client", str(config), "--db", db,
        "--as-of", "2026-11-12T09:00", "--json",
    )  # fmt: skip
    assert [r["hours_left"] for r in json.loads(out)] == [-48.0, 6.0]
