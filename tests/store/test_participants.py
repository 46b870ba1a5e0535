"""The member list as dated facts: migration 24, imports that record changes only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlite_utils import Database

from claimflow import Store, load_client
from claimflow.award.run import load_participants
from claimflow.parse.participants import read_participants
from claimflow.store import migrations
from tests.conftest import SAMPLES
from tests.test_cli import run

COSTA = str(SAMPLES / "clients/costa-azul.yaml")  # day-first dates
ACME = str(SAMPLES / "clients/acme-tools.yaml")  # month-first dates


def _facts(store: Store, client: str, pid: str) -> list[tuple[date, str | None]]:
    return [
        (f.effective_from, f.tier)
        for f in store.participant_history(client).get(pid, [])
    ]


def test_a_schema_23_member_list_becomes_facts_since_the_start(tmp_path: Path) -> None:
    db = Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m024_participant_facts")
    db.execute(
        "INSERT INTO participants VALUES "
        "('acme-tools', '104233', 'Ann', 'Lee', NULL, NULL, 'gold', '2024-01-05', "
        "'active')"
    )
    db.conn.commit()
    db.close()
    with Store.open(tmp_path / "old.db") as store:
        assert _facts(store, "acme-tools", "104233") == [(date.min, "gold")]
        (source,) = store.db.execute("SELECT source FROM participant_facts").fetchone()
        who = load_participants(store, "acme-tools")["104233"]
    assert source == "participants (before schema 24)"
    assert who.on(date(2026, 10, 2)).tier == "gold"
    assert who.on(date(2026, 10, 2)).enrolled_on == date(2024, 1, 5)
    assert who.tax_form_on is None


HISTORY = """\
participant_id,first_name,tier,enrolled_on,effective_from,tax_form_on
104233,Ann,silver,01/05/2024,01/05/2024,
104233,Ann,gold,01/05/2024,03/01/2026,02/20/2026
208811,Raj,,06/30/2025,,
"""


def test_an_effective_from_column_is_a_history_and_a_second_import_adds_nothing(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    members = write("members.csv", HISTORY)
    db = str(tmp_path / "c.db")
    args = ["participants", "import", str(members), "--client", ACME, "--db", db]
    code, out, _ = run(*args, "--as-of", "2026-04-10")
    assert (code, out) == (
        0,
        f"2 participants of acme-tools imported from {members}; "
        "3 new or changed facts recorded\n",
    )
    assert run(*args, "--as-of", "2026-05-01")[1].endswith("; nothing changed\n")
    with Store.open(db) as store:
        assert _facts(store, "acme-tools", "104233") == [
            (date(2024, 1, 5), "silver"),
            (date(2026, 3, 1), "gold"),
        ]
        # undated and first known: since the start
        assert _facts(store, "acme-tools", "208811") == [(date.min, None)]
        ann = load_participants(store, "acme-tools")["104233"]
        sources = [f.source for f in store.participant_history("acme-tools")["104233"]]
    # the latest row is the member list's copy, tax form included
    assert (ann.tier, ann.tax_form_on) == ("gold", date(2026, 2, 20))
    assert ann.on(date(2026, 2, 28)).tier == "silver"
    assert ann.on(date(2026, 2, 28)).tax_form_on is None
    assert ann.on(date(2026, 3, 1)).tax_form_on == date(2026, 2, 20)
    assert ann.on(date(2023, 12, 31)).tier is None  # before the first fact
    assert sources == [f"{members}:row 2", f"{members}:row 3"]


def _import(store: Store, text: str, write: Callable[..., Path], day: date) -> int:
    people = list(read_participants(write("m.csv", text), "acme-tools", "MDY"))
    return store.record_participants(people, day, "ann").facts


def test_changes_corrections_and_late_news_each_add_one_fact(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    head = "participant_id,tier,enrolled_on,tax_form_on,effective_from\n"
    with Store.open(tmp_path / "c.db") as store:
        assert (
            _import(store, head + "1,gold,01/05/2024,,\n", write, date(2026, 1, 1)) == 1
        )
        # the same list on another day: nothing new
        assert (
            _import(store, head + "1,gold,01/05/2024,,\n", write, date(2026, 2, 1)) == 0
        )
        # a tax form received: a fact from the import's day
        assert (
            _import(
                store, head + "1,gold,01/05/2024,02/20/2026,\n", write, date(2026, 3, 1)
            )
            == 1
        )
        # platinum from 4 April, told late (dated in the file)
        assert (
            _import(
                store,
                head + "1,platinum,01/05/2024,02/20/2026,04/04/2026\n",
                write,
                date(2026, 6, 1),
            )
            == 1
        )
        # a correction of the same day: the later fact of the day holds
        assert (
            _import(
                store,
                head + "1,titanium,01/05/2024,02/20/2026,04/04/2026\n",
                write,
                date(2026, 6, 2),
            )
            == 1
        )
        history = store.participant_history("acme-tools")["1"]
        who = store.participants("acme-tools")["1"]
    assert [(f.effective_from, f.tier, f.tax_form_on) for f in history] == [
        (date.min, "gold", None),
        (date(2026, 3, 1), "gold", date(2026, 2, 20)),
        (date(2026, 4, 4), "platinum", date(2026, 2, 20)),
        (date(2026, 4, 4), "titanium", date(2026, 2, 20)),
    ]
    assert who.on(date(2026, 4, 3)).tier == "gold"
    assert who.on(date(2026, 4, 4)).tier == "titanium"


BAD = """\
participant_id,tier,enrolled_on,effective_from
104233,gold,01/05/2024,03/01/2026
104234,silver,01/05/2024,13/45/2026
"""


def test_an_unreadable_effective_from_is_refused_and_the_store_stays_as_it_was(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    db = str(tmp_path / "c.db")
    members = str(SAMPLES / "acme-tools/participants.csv")
    assert run("participants", "import", members, "--client", ACME, "--db", db)[0] == 0
    with Store.open(db) as store:
        before = [
            store.db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
            for t in ("participants", "participant_facts", "audit_log")
        ]
    bad = write("bad.csv", BAD)
    code, out, err = run(
        "participants", "import", str(bad), "--client", ACME, "--db", db
    )
    assert (code, out) == (2, "")
    assert err == (
        f"claimflow: error: {bad}: row 3:effective_from: "
        "expected a date as "
        "MM/DD/YYYY, found '13/45/2026'\n"
    )
    with Store.open(db) as store:
        after = [
            store.db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
            for t in ("participants", "participant_facts", "audit_log")
        ]
    assert after == before


def test_dates_are_read_in_the_clients_order(write: Callable[..., Path]) -> None:
    members = write(
        "socios.csv",
        "participant_id,tier,enrolled_on,effective_from,tax_form_on\n"
        "300112457,oro,14/05/2019,03/04/2026,02/03/2026\n",
    )
    order = load_client(COSTA).config.date_order
    (who,) = read_participants(members, "costa-azul", order)
    assert (who.effective_from, who.tax_form_on) == (date(2026, 4, 3), date(2026, 3, 2))


def test_an_undated_row_is_the_baseline_even_when_a_dated_change_follows(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """Found in a new-user trial: an undated row (silver) and a dated change
    (gold from Oct 15) of one new participant in one file stored gold from
    Oct 15 and silver from the import day, so she was silver after gold."""
    members = write(
        "members.csv",
        "participant_id,first_name,tier,effective_from\n"
        "104233,Ann,silver,\n"
        "104233,Ann,gold,10/15/2026\n",
    )
    client = load_client(ACME)
    with Store.open(tmp_path / "c.db") as store:
        with store.transaction():
            store.record_participants(
                list(read_participants(members, client.key, client.config.date_order)),
                date(2026, 10, 18),
                "ann",
            )
        assert _facts(store, "acme-tools", "104233") == [
            (date.min, "silver"),
            (date(2026, 10, 15), "gold"),
        ]
        who = load_participants(store, "acme-tools")["104233"]
    assert who.on(date(2026, 10, 1)).tier == "silver"
    assert who.on(date(2026, 10, 20)).tier == "gold"
    assert who.tier == "gold"  # the list's latest copy


def test_a_list_without_a_column_leaves_that_fact_as_it_was(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """Trial 24: a partial member list (``participant_id,tier``) added a fact
    with no enrolment date, and the member's next claim earned 0 points as
    not enrolled; a list without a status column reopened a closed account.
    A column a file lacks, or a blank cell, says nothing: the store keeps
    what it knew (the fact in force that day, the latest copy's names)."""
    with Store.open(tmp_path / "c.db") as store:
        full = (
            "participant_id,first_name,last_name,email,tier,status,enrolled_on\n"
            "104233,Ann,Lee,ann@example.com,silver,active,01/05/2024\n"
            "208811,Raj,Iyer,raj@example.com,silver,closed,06/30/2025\n"
        )
        _import(store, full, write, date(2026, 11, 1))
        _import(store, "participant_id,tier\n104233,gold\n208811,gold\n", write,
                date(2026, 12, 3))  # fmt: skip
        # a blank cell of a column the file has says nothing either
        _import(store, "participant_id,tier,enrolled_on\n104233,gold,\n", write,
                date(2026, 12, 4))  # fmt: skip
        people = load_participants(store, "acme-tools")
        copies = store.participants("acme-tools")
    ann, raj = people["104233"], people["208811"]
    on = date(2026, 12, 5)
    assert (ann.on(on).tier, ann.on(on).enrolled_on, ann.on(on).status) == (
        "gold", date(2024, 1, 5), "active",
    )  # fmt: skip
    assert (raj.on(on).tier, raj.on(on).status) == ("gold", "closed")
    assert ann.on(date(2026, 11, 30)).tier == "silver"
    assert (copies["104233"].first_name, copies["104233"].email) == (
        "Ann", "ann@example.com",
    )  # fmt: skip
    assert copies["104233"].enrolled_on == date(2024, 1, 5)
    assert copies["208811"].status == "closed"


@pytest.mark.parametrize(
    ("row", "keyed"),
    [
        ("10O2003,James,silver", "10O2003"),  # a letter O keyed for a zero
        ("Prepared by,Sam,", "Prepared by"),  # a stray line under the list
        ("ملاحظات,,", "ملاحظات"),  # 'remarks': a note row in Persian
        ("10423,Ann,gold", "10423"),  # a digit short
    ],
)
def test_a_member_id_off_the_clients_format_refuses_the_list(
    tmp_path: Path, write: Callable[..., Path], row: str, keyed: str
) -> None:
    """Trial 48: a member list's row whose id did not match the client's
    ``formats: participant_id: '^\\d{6}$'`` (acme-tools) was imported as a
    member, and claims keyed with it then matched one. The list is refused in
    one line naming the row, as a bad tier or date refuses it, and the store
    is unchanged."""
    db = str(tmp_path / "c.db")
    members = write(
        "members.csv", f"participant_id,first_name,tier\n104233,Ann,gold\n{row}\n"
    )
    args = ["participants", "import", str(members), "--client", ACME, "--db", db]
    code, out, err = run(*args)
    assert (code, out) == (2, "")
    assert err == (
        f"claimflow: error: {members}: row 3:participant_id: expected an id "
        f"matching formats.participant_id '^\\\\d{{6}}$', found {keyed!r}\n"
    )
    with Store.open(db) as store:
        assert store.participants("acme-tools") == {}
    # the same id on a claim is refused by the same pattern
    assert load_client(ACME).formats["participant_id"].fullmatch(keyed) is False


def test_member_ids_in_other_scripts_digits_are_checked_as_ascii(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """Persian, Arabic-Indic and full-width digits are written 0-9 before the
    format check (as a claim's participant_id is read), so ``۱۰۵۱۱۲`` is
    member 105112, not a refusal; Python's own ``int`` reads the same digits
    (the oracle)."""
    keyed = ["۱۰۵۱۱۲", "١٠٥٥٤٠", "１０６０１１"]
    members = write(
        "members.csv",
        "participant_id,first_name\n" + "".join(f"{k},Ann\n" for k in keyed),
    )
    db = str(tmp_path / "c.db")
    args = ["participants", "import", str(members), "--client", ACME, "--db", db]
    assert run(*args)[0] == 0
    with Store.open(db) as store:
        ids = set(store.participants("acme-tools"))
    assert ids == {str(int(k)) for k in keyed} == {"105112", "105540", "106011"}
