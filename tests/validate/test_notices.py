"""Deficiency notices: grammar, plurals, localised values, privacy, reply address.

Found in review (issue 26): the Spanish notice said "1 solicitud suya ... tal
como nos llegaron" (plural verb), the CLI "1 notices written"; "we read"
amounts and dates were not localised (``276.00`` in a Spanish notice); a
duplicate notice showed the serial as normalised for matching
(``DR10000017`` for the participant's ``dr-1000-0017``) and named another
participant's claim; an ambiguous match listed other invoices' numbers; a
sales program was asked for a "folio"; review and rejection notices gave no
address to reply to.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from claimflow.codes import Outcome, ReasonCode
from claimflow.config import ClientConfig, ResolvedClient, resolve
from claimflow.models import (
    ClaimLine,
    Decision,
    Problem,
    Provenance,
    SalesClaim,
    StayClaim,
)
from claimflow.validate.notices import NoticeItem, render_notices

TODAY = date(2026, 11, 5)
CLIENT = """\
client: frio-sul
name: Frio Sul
kind: {kind}
locale: {locale}
language: {language}
date_order: DMY
currency: {currency}
notices: {{sender: Frio Sul Desk, reply_to: incentivo@friosul.example}}
"""


def client(
    language: str, locale: str, kind: str = "sales", currency: str = "BRL"
) -> ResolvedClient:
    text = CLIENT.format(language=language, locale=locale, kind=kind, currency=currency)
    return resolve(ClientConfig.model_validate(yaml.safe_load(text)))


def sale(
    ref: str,
    who: str = "10003",
    serials: tuple[str, ...] = (),
    invoice: str = "NF-000301",
    received: datetime = datetime(2026, 10, 28, 14, tzinfo=UTC),
    file: str = "claims.csv",
    client: str = "frio-sul",
) -> SalesClaim:
    source = Provenance(file=file, row=2)
    return SalesClaim(
        id=f"id-{ref}",
        client=client,
        participant_id=who,
        participant_name="Carla Dias",
        received_at=received,
        claim_ref=ref,
        invoice_number=invoice,
        invoice_date=date(2026, 10, 20),
        lines=(
            ClaimLine(
                sku="AC-900",
                quantity=1,
                unit_price=Decimal("1234.50"),
                line_total=Decimal("1234.50"),
                serial_numbers=serials,
                provenance=source,
            ),
        ),
        provenance=source,
    )


def item(
    claim: SalesClaim | StayClaim,
    code: ReasonCode,
    field: str | None,
    message: str,
    outcome: Outcome = Outcome.PENDED,
    earlier: SalesClaim | StayClaim | None = None,
) -> NoticeItem:
    problem = Problem(
        source=claim.provenance,
        code=code,
        message=message,
        record_id=claim.id,
        field=field,
    )
    decision = Decision(claim_id=claim.id, outcome=outcome, problems=(problem,))
    if earlier is None:
        return NoticeItem.of(claim, decision)
    return NoticeItem.of(claim, decision, earlier=earlier)


def text_of(items: list[NoticeItem], resolved: ResolvedClient) -> str:
    [notice] = render_notices(items, resolved, TODAY)
    return notice.text


def missing(refs: list[str]) -> list[NoticeItem]:
    return [
        item(
            sale(ref), ReasonCode.MISSING_FIELD, "dealer_id", "required, found nothing"
        )
        for ref in refs
    ]


# One notice with 1 claim and one with 3, in every language shipped: the
# sentence that counts the claims, written by hand in each language.
PLURALS = [
    (
        "en",
        "en_US",
        "We have reviewed 1 claim of yours that we cannot pay as sent.",
        "We have reviewed 3 claims of yours that we cannot pay as sent.",
    ),
    (
        "es",
        "es_ES",
        "Hemos revisado 1 solicitud suya que no podemos abonar tal como nos llegó.",
        "Hemos revisado 3 solicitudes suyas que no podemos abonar tal como nos "
        "llegaron.",
    ),
    (
        "id",
        "id_ID",
        "Kami telah memeriksa 1 klaim Anda yang tidak dapat kami bayar sebagaimana "
        "dikirim.",
        "Kami telah memeriksa 3 klaim Anda yang tidak dapat kami bayar sebagaimana "
        "dikirim.",
    ),
    (
        "pt",
        "pt_BR",
        "Analisamos 1 solicitação sua que não podemos pagar da forma como foi enviada.",
        "Analisamos 3 solicitações suas que não podemos pagar da forma como foram "
        "enviadas.",
    ),
    (
        "de",
        "de_CH",
        "wir haben 1 Antrag von Ihnen geprüft, den wir in der eingereichten Form "
        "nicht vergüten können.",
        "wir haben 3 Anträge von Ihnen geprüft, die wir in der eingereichten Form "
        "nicht vergüten können.",
    ),
    (
        "fr",
        "fr_CH",
        "Nous avons examiné 1 demande de votre part que nous ne pouvons pas honorer "
        "telle qu'elle nous a été transmise.",
        "Nous avons examiné 3 demandes de votre part que nous ne pouvons pas honorer "
        "telles qu'elles nous ont été transmises.",
    ),
]


@pytest.mark.parametrize(
    ("language", "locale", "one", "three"), PLURALS, ids=[p[0] for p in PLURALS]
)
def test_a_notice_counts_claims_in_its_languages_plural_forms(
    language: str, locale: str, one: str, three: str
) -> None:
    resolved = client(language, locale)
    single = text_of(missing(["BR-1"]), resolved)
    several = text_of(missing(["BR-1", "BR-2", "BR-3"]), resolved)
    assert one in single.splitlines()
    assert three in several.splitlines()
    assert three not in single and one not in several


AWARD_PLURALS = [
    ("en", "en_US", "Accepted: we paid 0 of its 1 point.", "  - 1 point not paid: "),
    (
        "es",
        "es_ES",
        "Aceptada: le abonamos 0 de su 1 punto.",
        "  - 1 punto no abonado: ",
    ),
    (
        "id",
        "id_ID",
        "Diterima: kami membayar 0 dari 1 poinnya.",
        "  - 1 poin tidak dibayar: ",
    ),
    ("pt", "pt_BR", "Aceita: pagamos 0 de seu 1 ponto.", "  - 1 ponto não pago: "),
    (
        "de",
        "de_CH",
        "Angenommen: Wir haben 0 von 1 Punkt gutgeschrieben.",
        "  - 1 Punkt nicht gutgeschrieben: ",
    ),
    (
        "fr",
        "fr_CH",
        "Acceptée: nous avons crédité 0 sur 1 point.",
        "  - 1 point non crédité: ",
    ),
]
AWARD_PLURALS_3 = {
    "en": ("Accepted: we paid 0 of its 3 points.", "  - 3 points not paid: "),
    "es": ("Aceptada: le abonamos 0 de sus 3 puntos.", "  - 3 puntos no abonados: "),
    "id": ("Diterima: kami membayar 0 dari 3 poinnya.", "  - 3 poin tidak dibayar: "),
    "pt": ("Aceita: pagamos 0 de seus 3 pontos.", "  - 3 pontos não pagos: "),
    "de": (
        "Angenommen: Wir haben 0 von 3 Punkten gutgeschrieben.",
        "  - 3 Punkte nicht gutgeschrieben: ",
    ),
    "fr": (
        "Acceptée: nous avons crédité 0 sur 3 points.",
        "  - 3 points non crédités: ",
    ),
}


@pytest.mark.parametrize(
    ("language", "locale", "paid", "cut"),
    AWARD_PLURALS,
    ids=[p[0] for p in AWARD_PLURALS],
)
def test_an_award_notice_counts_points_in_its_languages_plural_forms(
    language: str, locale: str, paid: str, cut: str
) -> None:
    from claimflow.validate.notices import AwardNoticeItem, render_award_notices

    resolved = client(language, locale)

    def award_text(points: int) -> str:
        items = [
            AwardNoticeItem(
                claim_id=f"c{n}",
                participant_id="10003",
                name="Carla Dias",
                reference=f"BR-{n}",
                activity=date(2026, 10, 20),
                amount=None,
                points=0,
                desired=points,
                cuts=(("cap_budget", points),),
            )
            for n in range(points)
        ]
        [notice] = render_award_notices(items, resolved, TODAY)
        return notice.text

    one, three = award_text(1), award_text(3)
    assert f"  {paid}\n" in one and f"{cut}" in one
    paid3, cut3 = AWARD_PLURALS_3[language]
    assert f"  {paid3}\n" in three and f"{cut3}" in three


def test_what_we_read_is_localised() -> None:
    claim = sale("CA-7")
    amount = item(
        claim,
        ReasonCode.LINE_TOTAL_MISMATCH,
        "line_total",
        "expected 1 x 1234.50 = 1234.50, found 1234.50",
    )
    window = item(
        claim,
        ReasonCode.OUTSIDE_CLAIM_WINDOW,
        "invoice_date",
        "expected a date within 60 days, found 2026-10-20",
        Outcome.REJECTED,
    )
    text = text_of([amount, window], client("es", "es_ES", currency="EUR"))
    assert "(leímos: 1.234,50\xa0€)" in text
    assert "(leímos: 20 oct 2026)" in text
    assert "1234.50" not in text and "2026-10-20" not in text


def test_a_value_the_participant_keyed_wrongly_is_shown_as_keyed() -> None:
    bad = item(
        sale("BR-1"),
        ReasonCode.INVALID_DATE,
        "invoice_date",
        "expected a date as DD/MM/YYYY, found '2026/10/32'",
    )
    text = text_of([bad], client("en", "en_US"))
    assert "(we read: 2026/10/32)" in text


def test_a_serial_is_shown_as_the_participant_wrote_it() -> None:
    mine = sale("B1", who="104876", serials=("dr-1000-0017",))
    theirs = sale("A1", who="104233", serials=("DR10000017",), invoice="INV-77")
    duplicate = item(
        mine,
        ReasonCode.DUPLICATE_CLAIM,
        "serial_numbers",
        "expected a sale or stay not claimed before, found 'DR10000017', "
        "claimed before on claim A1",
        Outcome.DUPLICATE,
        earlier=theirs,
    )
    text = text_of([duplicate], client("en", "en_US"))
    assert "(we read: dr-1000-0017)" in text
    assert "DR10000017" not in text


def test_a_duplicate_notice_names_nothing_of_another_participant() -> None:
    mine = sale("B1", who="104876", serials=("DR10000017",))
    theirs = sale(
        "A1",
        who="104233",
        serials=("DR10000017",),
        invoice="INV-77",
        received=datetime(2026, 10, 20, 9, tzinfo=UTC),
    )
    duplicate = item(
        mine,
        ReasonCode.DUPLICATE_CLAIM,
        "serial_numbers",
        "expected a sale or stay not claimed before, found 'DR10000017', "
        "claimed before on claim A1",
        Outcome.DUPLICATE,
        earlier=theirs,
    )
    text = text_of([duplicate], client("en", "en_US"))
    assert "A1" not in text and "INV-77" not in text and "104233" not in text
    assert (
        "    It was claimed before, on Oct 20, 2026, under another account.\n" in text
    )


def test_a_duplicate_of_the_participants_own_claim_names_it() -> None:
    mine = sale("B1", serials=("DR10000017",))
    earlier = sale(
        "A1", serials=("DR10000017",), received=datetime(2026, 10, 20, 9, tzinfo=UTC)
    )
    duplicate = item(
        mine,
        ReasonCode.DUPLICATE_CLAIM,
        "serial_numbers",
        "expected a sale or stay not claimed before, found 'DR10000017', "
        "claimed before on claim A1",
        Outcome.DUPLICATE,
        earlier=earlier,
    )
    text = text_of([duplicate], client("en", "en_US"))
    assert (
        "    You claimed it before in claim A1, received on Oct 20, 2026 in file "
        "claims.csv.\n" in text
    )


def test_an_ambiguous_match_does_not_list_other_invoices() -> None:
    ambiguous = item(
        sale("BR-1", invoice="NF-000301"),
        ReasonCode.SOURCE_AMBIGUOUS,
        "invoice_number",
        "expected one invoice, found 2 candidates: NF-000310 (2026-10-20), "
        "NF-000391 (2026-10-21)",
        Outcome.REVIEW,
    )
    text = text_of([ambiguous], client("en", "en_US"))
    assert "NF-000310" not in text and "NF-000391" not in text
    assert "candidates" not in text


@pytest.mark.parametrize("language", ["en", "es", "id", "pt", "de", "fr"])
def test_a_sales_program_never_asks_for_a_folio(language: str) -> None:
    no_proof = item(
        sale("BR-1"),
        ReasonCode.NO_PROOF,
        "proof_attached",
        "expected a copy of the invoice or folio, found none attached",
    )
    text = text_of([no_proof], client(language, "en_US"))
    assert "folio" not in text.lower()


@pytest.mark.parametrize(
    "outcome", [Outcome.REVIEW, Outcome.REJECTED, Outcome.DUPLICATE, Outcome.PENDED]
)
@pytest.mark.parametrize("language", ["en", "es", "id", "pt", "de", "fr"])
def test_every_notice_gives_the_reply_address(outcome: Outcome, language: str) -> None:
    one = item(
        sale("BR-1"),
        ReasonCode.POSSIBLE_DUPLICATE,
        "invoice_number",
        "looks like claim A1",
        outcome,
    )
    [notice] = render_notices([one], client(language, "en_US"), TODAY)
    assert "incentivo@friosul.example" in notice.text


def test_a_notice_is_dated_with_the_desks_day_not_utcs(
    tmp_path: object,
) -> None:
    """Trial 17: a batch ingested at 00:43 in Zurich (23:43 UTC) wrote
    notices dated the day before. The desk's day is the letter's, on
    either side of UTC (acme's desk is in Chicago)."""
    from pathlib import Path

    from babel.dates import format_date

    from claimflow import check, load_client
    from tests.conftest import SAMPLES

    acme = load_client(SAMPLES / "clients" / "acme-tools.yaml")
    folder = Path(str(tmp_path))
    path = folder / "c.csv"
    path.write_text(
        "Claim ID,Rep #,Invoice No,Invoice Date,Product Code,Qty,Serials\n"
        "A,104233,INV-1001,10/02/2026,DRL-200,0,DR10000001\n",
        encoding="utf-8",
    )
    # 02:00 UTC on 28 October is 21:00 on the 27th in Chicago
    result = check([path], acme, received_at=datetime(2026, 10, 28, 2, 0, tzinfo=UTC))
    [notice] = result.notices
    chicago_day = format_date(date(2026, 10, 27), "long", locale="en_US")
    assert chicago_day in notice.text
    assert format_date(date(2026, 10, 28), "long", locale="en_US") not in notice.text


# Trial 20: the Portuguese notice of P-405, a claim without a member number,
# read "Prezado(a) Ângela Sá (participante (unknown))". A notice says what it
# lacks in its own language, or leaves it out: here the member number, the
# name and the reference (a claim named by its row, sheet and file instead).
UNNAMED = [
    ("en", "en_US", "Dear participant,", "Claim on row 5 of sheet Estadias in file estadias.xlsx"),
    ("es", "es_ES", "Estimado/a participante:", "Solicitud de la fila 5 de la hoja Estadias del archivo estadias.xlsx"),
    ("id", "id_ID", "Yth. Peserta,", "Klaim pada baris 5 lembar Estadias berkas estadias.xlsx"),
    ("pt", "pt_BR", "Prezado(a) participante,", "Solicitação da linha 5 da planilha Estadias do arquivo estadias.xlsx"),
    ("de", "de_CH", "Sehr geehrte Teilnehmerin, sehr geehrter Teilnehmer,", "Antrag aus Zeile 5 des Blatts Estadias der Datei estadias.xlsx"),
    ("fr", "fr_CH", "Madame, Monsieur,", "Demande de la ligne 5 de la feuille Estadias du fichier estadias.xlsx"),
]  # fmt: skip
# English words a fallback would put in a notice of another language
ENGLISH = re.compile(
    r"\b(unknown|none|member|participant|dear|row|sheet|page|file|claim)\b",
    re.IGNORECASE,
)


def _unnamed_stay(name: str | None = None) -> StayClaim:
    """P-405 of the trial (retro_portal_utf8.csv), without its member number,
    and here without its name, reference or confirmation number too."""
    return StayClaim(
        id="c2ea839d7d94-Estadias-r5",
        client="frio-sul",
        participant_id=None,
        member_name=name,
        received_at=datetime(2026, 11, 10, tzinfo=UTC),
        provenance=Provenance(file="/in/pousada/estadias.xlsx", sheet="Estadias", row=5),
        hotel_code="PA-FLN",
        check_in=date(2026, 11, 3),
        check_out=date(2026, 11, 5),
        qualifying_revenue=Decimal("700.00"),
        taxes=Decimal("35.00"),
        currency="BRL",
    )


def _unnamed_items(claim: StayClaim) -> list[NoticeItem]:
    problems = tuple(
        Problem(
            source=claim.provenance.at(field),
            code=code,
            message=message,
            record_id=claim.id,
            field=field,
        )
        for field, code, message in [
            ("participant_id", ReasonCode.MISSING_FIELD, "required, found nothing"),
            ("taxes", ReasonCode.INVALID_NUMBER, "expected a number, found 'x'"),
        ]
    )
    decision = Decision(claim_id=claim.id, outcome=Outcome.PENDED, problems=problems)
    return [NoticeItem.of(claim, decision)]


@pytest.mark.parametrize(
    ("language", "locale", "greeting", "heading"), UNNAMED, ids=[u[0] for u in UNNAMED]
)
def test_a_notice_without_member_number_name_or_reference_is_in_its_language(
    language: str, locale: str, greeting: str, heading: str
) -> None:
    resolved = client(language, locale, kind="stay")
    [notice] = render_notices(_unnamed_items(_unnamed_stay()), resolved, TODAY)
    lines = notice.text.splitlines()
    assert greeting in lines
    assert any(line.startswith(heading + ",") for line in lines), notice.text
    assert "unknown" not in notice.text and "None" not in notice.text
    assert "/in/pousada" not in notice.text  # the file's name, never its folder
    html = notice.html or ""
    assert greeting in html and "unknown" not in html
    if language != "en":
        assert ENGLISH.findall(notice.text) == []
        assert ENGLISH.findall(html.replace('lang="', "")) == []


@pytest.mark.parametrize("language", [u[0] for u in UNNAMED])
def test_a_named_claimant_without_member_number_is_greeted_by_name(
    language: str,
) -> None:
    locale = next(u[1] for u in UNNAMED if u[0] == language)
    resolved = client(language, locale, kind="stay")
    [notice] = render_notices(
        _unnamed_items(_unnamed_stay("Ângela Sá")), resolved, TODAY
    )
    [greeting] = [line for line in notice.text.splitlines() if "Ângela Sá" in line]
    assert greeting == {
        "en": "Dear Ângela Sá,",
        "es": "Estimado/a Ângela Sá:",
        "id": "Yth. Ângela Sá,",
        "pt": "Prezado(a) Ângela Sá,",
        "de": "Guten Tag Ângela Sá,",
        "fr": "Bonjour Ângela Sá,",
    }[language]


def test_claims_without_member_numbers_get_a_notice_each(tmp_path: Path) -> None:
    """Two claims without a member number may be two people's: each gets
    its own notice (they shared one, addressed to the first one's name), and
    its own file."""
    from claimflow.report import write_notice_files

    resolved = client("pt", "pt_BR", kind="stay")
    first = _unnamed_stay("Ângela Sá")
    second = first.model_copy(
        update={"id": "c2ea839d7d94-Estadias-r6", "member_name": "Rui Lopes"}
    )
    notices = render_notices(
        _unnamed_items(first) + _unnamed_items(second), resolved, TODAY
    )
    assert [(n.claim_ids, n.participant_id) for n in notices] == [
        (("c2ea839d7d94-Estadias-r5",), ""),
        (("c2ea839d7d94-Estadias-r6",), ""),
    ]
    assert "Rui Lopes" not in notices[0].text and "Ângela Sá" not in notices[1].text
    assert notices[0].to_dict()["participant_id"] is None
    written = write_notice_files(notices, tmp_path, "pousada-4")
    assert [p.name for p in written] == [
        "pousada-4-no-member-c2ea839d7d94-Estadias-r5.txt",
        "pousada-4-no-member-c2ea839d7d94-Estadias-r6.txt",
    ]
