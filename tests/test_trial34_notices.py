"""Trial 34 (a Hungarian dealer program): the desk's received stamp could
not be read. It is the desk's to correct: the participant's notice does not
ask for it, and the desk is told the stand-in time on its own clock."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import run
from tests.test_trial34_resubmission import CLIENT, HEADER, SALE


def test_an_unreadable_received_stamp_is_the_desks_not_the_participants(
    tmp_path: Path,
) -> None:
    """The participant's notice asked for "date received: we could not read
    this date: please send it again as YYYY-MM-DD", a stamp only the desk
    can correct, and the desk read the stand-in batch time in UTC
    (12:22+00:00 for 14:22 in Budapest). The notice leaves it out (a claim
    pended for it alone owes no notice) and the desk's output gives the
    time on its clock."""
    client = tmp_path / "hu-dealer.yaml"
    client.write_text(CLIENT, encoding="utf-8")
    claims = tmp_path / "elso.csv"
    other = SALE.replace("R-9", "R-10").replace("HU10004", "HU10005").replace(
        "2026.10.13", "2026.10.32"
    ).replace("HT30007", "HT30008").replace("007001", "007002")
    claims.write_text(
        HEADER + SALE + "2026. 10. 41.\n" + other + "2026. 10. 41.\n", encoding="utf-8"
    )
    notices = tmp_path / "notices"
    code, out, err = run(
        "ingest", str(claims), "--client", str(client), "--db", str(tmp_path / "s.db"),
        "--at", "2026-10-14T12:22Z", "--notices", str(notices), "-v",
    )  # fmt: skip
    assert code == 1, err
    said = out + err
    assert "the batch's time 2026-10-14 14:22 CEST stands in until the desk corrects it" in said
    assert "+00:00 stands in" not in said
    written = {p.name: p.read_text(encoding="utf-8") for p in notices.glob("*.txt")}
    # R-9 is pended for its received stamp alone: no notice to HU10004
    assert [n for n in written if "HU10004" in n] == []
    [text] = [t for n, t in written.items() if "HU10005" in n]
    assert "invoice date: we could not read this date" in text
    assert "date received" not in text and "received" not in text
