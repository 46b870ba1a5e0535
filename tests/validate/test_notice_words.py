"""Words a notice's reader sees that depend on where the program runs.

Trial findings: an Argentine notice asked for the decimals "hasta el
céntimo" (Spain's word; Argentina says centavo), and an English notice at an
Egyptian desk (locale ar_EG, language en) was dated "5 نوفمبر 2026". The
minor unit follows the program's currency in the notice's language; a date
follows the notice's language, in the desk's country's form where CLDR has
one (Babel is the oracle for every date below).
"""

from __future__ import annotations

import re

import pytest
from babel.dates import format_date

from claimflow.codes import ReasonCode
from claimflow.validate.notice_dates import notice_locale
from tests.validate.test_notices import TODAY, client, item, sale, text_of

AMBIGUOUS = "expected a number, found '4,500'"
# de_CH groups with ', so 4,500 is no thousands to it; 4.500 reads two ways
AMBIGUOUS_CH = "expected a number, found '4.500'"

MINOR_UNITS = [
    # language, locale, currency, the word, the word it must not be
    ("es", "es_AR", "ARS", "hasta el centavo", "céntimo"),
    ("es", "es_MX", "MXN", "hasta el centavo", "céntimo"),
    ("es", "es_CO", "COP", "hasta el centavo", "céntimo"),
    ("es", "es_ES", "EUR", "hasta el céntimo", "centavo"),
    ("es", "es_UY", "UYU", "hasta el centésimo", "céntimo"),
    ("pt", "pt_BR", "BRL", "até o centavo", "cêntimo"),
    ("pt", "pt_PT", "EUR", "até o cêntimo", "centavo"),
    ("en", "en_US", "USD", "to the cent", "penny"),
    ("en", "en_GB", "GBP", "to the penny", " cent"),
    ("de", "de_DE", "EUR", "auf den Cent genau", "Rappen"),
    ("de", "de_CH", "CHF", "auf den Rappen genau", "Cent "),
    ("fr", "fr_FR", "EUR", "au centime près", "{"),
    ("fr", "fr_CA", "CAD", "au cent près", "centime"),
]


@pytest.mark.parametrize(("language", "locale", "currency", "word", "not_word"), MINOR_UNITS)
def test_an_ambiguous_amount_asks_for_the_currencys_own_hundredth(
    language: str, locale: str, currency: str, word: str, not_word: str
) -> None:
    """es_AR/ARS read "o con los decimales hasta el céntimo"; now "hasta
    el centavo", as the rest of Latin America and Brazil; Spain and
    Portugal keep céntimo and cêntimo."""
    found = AMBIGUOUS_CH if locale == "de_CH" else AMBIGUOUS
    ambiguous = item(sale("AR-1"), ReasonCode.INVALID_NUMBER, "claim_total", found)
    text = text_of([ambiguous], client(language, locale, currency=currency))
    assert word in text
    assert not_word not in text


@pytest.mark.parametrize(
    ("locale", "dated_in"),
    [
        ("ar_EG", "en_001"),  # CLDR has no en_EG: international English
        ("he_IL", "en_IL"),
        ("pt_BR", "en_001"),
        ("en_US", "en_US"),
    ],
)
def test_an_english_notice_is_dated_in_english_at_any_desk(
    locale: str, dated_in: str
) -> None:
    """An English notice at an ar_EG desk was dated "5 نوفمبر 2026" and its
    dates read "20/10/2026" with right-to-left marks (the desk's Arabic); at he_IL "5 בנובמבר
    2026". The notice's language writes the month names, in the desk's
    country's English where CLDR has one (en_IL: "5 November 2026")."""
    window = item(
        sale("EG-1"),
        ReasonCode.OUTSIDE_CLAIM_WINDOW,
        "invoice_date",
        "expected a date within 60 days, found 2026-10-20",
    )
    text = text_of([window], client("en", locale, currency="USD"))
    assert notice_locale("en", locale) == dated_in
    heading = text.splitlines()[1]
    assert heading == format_date(TODAY, "long", locale=dated_in)
    assert heading in ("5 November 2026", "November 5, 2026")
    read = format_date(sale("EG-1").invoice_date, "medium", locale=dated_in)
    assert f"(we read: {read})" in text
    # no Arabic or Hebrew letters in the English notice's dates
    assert not re.search(r"[\u0590-\u06ff]", heading + read)


def test_a_desk_speaking_the_notices_language_keeps_its_own_dates() -> None:
    """A Spanish notice at an es_AR desk is dated as es_AR writes dates."""
    assert notice_locale("es", "es_AR") == "es_AR"
    assert notice_locale("fr", "de_CH") == "fr_CH"  # the desk's country, in French
    text = text_of(
        [item(sale("AR-2"), ReasonCode.INVALID_NUMBER, "claim_total", AMBIGUOUS)],
        client("es", "es_AR", currency="ARS"),
    )
    assert format_date(TODAY, "long", locale="es_AR") in text  # 5 de noviembre de 2026
