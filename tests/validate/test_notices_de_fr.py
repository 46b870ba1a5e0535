"""German and French notices, as a Swiss client (de_CH, fr_CH) sends them.

Found with a Swiss client (German- and French-speaking participants): notices
could only be English (``language`` was ``en``, ``es``, ``id`` or ``pt``), so
its letters were English under a date line Babel wrote in German. The
expectations here are written by hand, sentence by sentence; dates and
amounts are also checked against Babel for the client's locale, and no
English sentence may be left in a letter.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import yaml
from babel.dates import format_date
from babel.numbers import format_currency

from claimflow.codes import Outcome, ReasonCode
from claimflow.config import ClientConfig, ResolvedClient, resolve
from claimflow.models import Decision, Problem, SalesClaim
from claimflow.validate.notice_i18n import phrases
from claimflow.validate.notices import Notice, NoticeItem, render_notices
from tests.validate.test_notices import sale as english_sale

TODAY = date(2026, 11, 5)
PROGRAM, SENDER, REPLY_TO = "Kraftwerk Club", "Kraftwerk Club Desk", "club@kw.example"
CLIENT = f"""\
client: kraftwerk-ch
name: {PROGRAM}
kind: sales
locale: {{locale}}
language: {{language}}
date_order: DMY
currency: CHF
notices: {{{{sender: {SENDER}, reply_to: {REPLY_TO}}}}}
"""


def swiss(language: str, locale: str) -> ResolvedClient:
    text = CLIENT.format(language=language, locale=locale)
    return resolve(ClientConfig.model_validate(yaml.safe_load(text)))


def sale(
    ref: str,
    who: str = "10003",
    serials: tuple[str, ...] = (),
    received: datetime = datetime(2026, 10, 28, 14, tzinfo=UTC),
    file: str = "antraege_november.csv",
) -> SalesClaim:
    """The English notices' sale (`tests.validate.test_notices.sale`), keyed
    at the Swiss desk."""
    return english_sale(
        ref, who, serials, "RE-2026-0301", received, f"/in/{file}", "kraftwerk-ch"
    )


def problem(claim: SalesClaim, code: ReasonCode, field: str, message: str) -> Problem:
    return Problem(
        source=claim.provenance,
        code=code,
        message=message,
        record_id=claim.id,
        field=field,
    )


def pended() -> NoticeItem:
    """A sales claim with no dealer code and a line total we read as keyed."""
    claim = sale("KW-1002")
    problems = (
        problem(
            claim, ReasonCode.MISSING_FIELD, "dealer_id", "required, found nothing"
        ),
        problem(
            claim,
            ReasonCode.LINE_TOTAL_MISMATCH,
            "line_total",
            "expected 2 x 1234.50 = 2469.00, found 1234.50",
        ),
    )
    decision = Decision(claim_id=claim.id, outcome=Outcome.PENDED, problems=problems)
    return NoticeItem.of(claim, decision)


def duplicate(earlier_by: str) -> NoticeItem:
    """A serial claimed before, by the participant (10003) or by another."""
    mine = sale("KW-1005", serials=("dr-1000-0017",))
    earlier = sale(
        "KW-1001",
        who=earlier_by,
        serials=("DR10000017",),
        received=datetime(2026, 10, 22, 9, tzinfo=UTC),
        file="antraege_oktober.csv",
    )
    found = problem(
        mine,
        ReasonCode.DUPLICATE_CLAIM,
        "serial_numbers",
        "expected a sale or stay not claimed before, found 'DR10000017', "
        "claimed before on claim KW-1001",
    )
    decision = Decision(claim_id=mine.id, outcome=Outcome.DUPLICATE, problems=(found,))
    return NoticeItem.of(mine, decision, earlier=earlier)


def notice(item: NoticeItem, language: str, locale: str) -> Notice:
    [one] = render_notices([item], swiss(language, locale), TODAY)
    assert one.language == language
    return one


def assert_no_english(text: str, item: NoticeItem, locale: str) -> None:
    """No line of the same notice in English, and no English phrase of the
    codes, fields and status it uses, is in `text`."""
    english = notice(item, "en", locale).text
    shared = {PROGRAM, SENDER, format_date(TODAY, "long", locale=locale), ""}
    for line in english.splitlines():
        if line.strip() not in shared:
            assert line.strip() not in text, line
    words = phrases(None, "en")
    for field, code, _ in item.problems:
        for phrase in (words["codes"][code], words["fields"][field]):
            english_phrase = phrase if isinstance(phrase, str) else phrase["sales"]
            assert english_phrase not in text
    assert words["status"][item.outcome.value] not in text
    for sentence in ("Dear ", "Kind regards", "we read", "Claim ", "sold on"):
        assert sentence not in text


# Dates and amounts as Babel writes them for the client's locale, by hand.
SWISS_VALUES = {
    "de_CH": ("5. November 2026", "20.10.2026", "22.10.2026", "CHF\xa01'234.50"),
    "fr_CH": ("5 novembre 2026", "20 oct. 2026", "22 oct. 2026", "1'234,50\xa0CHF"),
}


@pytest.mark.parametrize("locale", sorted(SWISS_VALUES))
def test_babel_writes_the_swiss_dates_and_amounts_the_letters_quote(
    locale: str,
) -> None:
    today, invoice_day, received, amount = SWISS_VALUES[locale]
    assert format_date(TODAY, "long", locale=locale) == today
    assert format_date(date(2026, 10, 20), "medium", locale=locale) == invoice_day
    assert format_date(date(2026, 10, 22), "medium", locale=locale) == received
    assert format_currency(Decimal("1234.50"), "CHF", locale=locale) == amount


PENDED = {
    "de": (
        "de_CH",
        "Kraftwerk Club: Wir benötigen Angaben zu Ihrem Antrag",
        [
            "Kraftwerk Club",
            "5. November 2026",
            "",
            "Guten Tag Carla Dias (Mitgliedsnummer 10003),",
            "",
            "wir haben 1 Antrag von Ihnen geprüft, den wir in der eingereichten "
            "Form nicht vergüten können.",
            "Damit wir die Punkte gutschreiben können, benötigen wir Folgendes "
            "von Ihnen.",
            "",
            "Antrag KW-1002, verkauft am 20.10.2026, CHF\xa01'234.50",
            "  Status: wartet auf Angaben von Ihnen",
            "  - Händlernummer: fehlt: Bitte senden Sie uns die Angabe",
            "  - Betrag der Position: entspricht nicht Menge mal Stückpreis: Bitte "
            "senden Sie uns eine Kopie der Rechnung (von uns gelesen: "
            "CHF\xa01'234.50)",
            "",
            "Bitte senden Sie uns die oben genannten korrigierten Angaben oder "
            "Unterlagen innerhalb von 30 Tagen an club@kw.example und geben Sie "
            "dabei die Antragsreferenz an.",
            "",
            "Freundliche Grüße",
            "Kraftwerk Club Desk",
        ],
    ),
    "fr": (
        "fr_CH",
        "Kraftwerk Club: nous avons besoin d'informations sur votre demande",
        [
            "Kraftwerk Club",
            "5 novembre 2026",
            "",
            "Bonjour Carla Dias (membre n° 10003),",
            "",
            "Nous avons examiné 1 demande de votre part que nous ne pouvons pas "
            "honorer telle qu'elle nous a été transmise.",
            "Pour pouvoir vous créditer les points, nous avons besoin des éléments "
            "suivants.",
            "",
            "Demande KW-1002, vendu le 20 oct. 2026, 1'234,50\xa0CHF",
            "  Statut: en attente d'informations de votre part",
            "  - code revendeur: information manquante: veuillez nous la transmettre",
            "  - montant de la ligne: ne correspond pas à la quantité multipliée par "
            "le prix unitaire: veuillez nous envoyer une copie de la facture (nous "
            "avons lu: 1'234,50\xa0CHF)",
            "",
            "Veuillez répondre à club@kw.example dans un délai de 30 jours, en "
            "indiquant la référence de la demande, avec les informations corrigées "
            "ou les documents demandés ci-dessus.",
            "",
            "Cordialement,",
            "Kraftwerk Club Desk",
        ],
    ),
}


@pytest.mark.parametrize("language", sorted(PENDED))
def test_a_pended_sales_claim_is_asked_for_in_german_and_french(
    language: str,
) -> None:
    locale, subject, lines = PENDED[language]
    item = pended()
    sent = notice(item, language, locale)
    assert sent.subject == subject
    assert sent.text == "\n".join(lines) + "\n"
    today, invoice_day, _, amount = SWISS_VALUES[locale]
    assert today in sent.text and invoice_day in sent.text
    assert sent.text.count(amount) == 2  # the claim's amount, and the one we read
    assert "1234.50" not in sent.text and "2026-10-20" not in sent.text
    assert_no_english(sent.text, item, locale)
    assert sent.html is not None
    assert f'<html lang="{language}">' in sent.html and lines[3] in sent.html


DUPLICATE = {
    "de": (
        "de_CH",
        "Kraftwerk Club: zu Ihrem Antrag",
        [
            "Antrag KW-1005, verkauft am 20.10.2026, CHF\xa01'234.50\n",
            "  Status: bereits eingereicht\n",
            "  - Seriennummern: Dieser Verkauf wurde bereits eingereicht (von uns "
            "gelesen: dr-1000-0017)\n",
            "\nBei Fragen zu diesem Schreiben wenden Sie sich bitte an "
            "club@kw.example und geben Sie dabei die Antragsreferenz an.\n",
        ],
        "    Sie haben dies bereits mit dem Antrag KW-1001 eingereicht, "
        "eingegangen am 22.10.2026 in der Datei antraege_oktober.csv.\n",
        "    Dies wurde bereits am 22.10.2026 über ein anderes Konto eingereicht.\n",
    ),
    "fr": (
        "fr_CH",
        "Kraftwerk Club: à propos de votre demande",
        [
            "Demande KW-1005, vendu le 20 oct. 2026, 1'234,50\xa0CHF\n",
            "  Statut: déjà soumise\n",
            "  - numéros de série: cette vente a déjà fait l'objet d'une demande "
            "(nous avons lu: dr-1000-0017)\n",
            "\nPour toute question sur ce courrier, écrivez-nous à club@kw.example "
            "en indiquant la référence de la demande.\n",
        ],
        "    Vous avez déjà fait la même demande: demande KW-1001, reçue le "
        "22 oct. 2026 dans le fichier antraege_oktober.csv.\n",
        "    Une demande identique a déjà été faite le 22 oct. 2026 depuis un autre "
        "compte.\n",
    ),
}


@pytest.mark.parametrize("language", sorted(DUPLICATE))
def test_a_duplicate_is_explained_in_german_and_french(language: str) -> None:
    locale, subject, lines, own, others = DUPLICATE[language]
    item = duplicate(earlier_by="10003")
    sent = notice(item, language, locale)
    assert sent.subject == subject
    for line in [*lines, own]:
        assert line in sent.text
    assert others not in sent.text
    assert_no_english(sent.text, item, locale)
    # the participant's serial as they keyed it, never as matched
    assert "DR10000017" not in sent.text

    # another participant's claim is named by its day alone
    theirs = duplicate(earlier_by="104233")
    sent = notice(theirs, language, locale)
    assert others in sent.text and own not in sent.text
    assert "KW-1001" not in sent.text and "antraege_oktober" not in sent.text
    assert "104233" not in sent.text
    assert_no_english(sent.text, theirs, locale)
