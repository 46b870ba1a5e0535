"""A client's words in any case, as its language writes capitals
(`claimflow.words`): tiers, yes and no words."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from claimflow.values import KeyedBool, ValueContext, yes_no_words
from claimflow.words import match_word, word_fold


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [("ALTIN", "tr_TR", "altın"),
     ("ALTIN", "tr", "altın"),
     ("İSTANBUL", "tr_TR", "istanbul"),
     ("ISPARTA", "az_AZ", "ısparta"),
     ("ALTIN", "en_US", "altin"),
     ("ALTIN", None, "altin"),
     ("İSTANBUL", "de_DE", "istanbul"),  # no combining dot left over
     ("I\u0307STANBUL", "tr_TR", "istanbul"),  # İ keyed decomposed
     ("Straße", "de_DE", "strasse")],
)  # fmt: skip
def test_word_fold(text: str, locale: str | None, expected: str) -> None:
    assert word_fold(text, locale) == expected


TIERS = ["gümüş", "altın", "platin"]


@pytest.mark.parametrize(
    ("text", "words", "locale", "expected"),
    [("ALTIN", TIERS, "tr_TR", "altın"),
     ("PLATİN", TIERS, "tr_TR", "platin"),
     ("PLATIN", TIERS, "tr_TR", "platin"),  # upper-cased by a system without Turkish
     ("ALTIN", TIERS, "en_US", "altın"),  # a Turkish word at a desk set otherwise
     ("altin", TIERS, "tr_TR", None),  # another spelling, not another case
     ("Gold", ["silver", "gold"], "en_US", "gold"),
     ("GOLD", ["Gold", "gold"], "en_US", "Gold"),  # one word written twice
     # two words that only the Turkish rule tells apart: the desk's language decides
     ("SIK", ["sık", "sik"], "tr_TR", "sık"),
     ("SIK", ["sık", "sik"], "en_US", "sik"),
     ("SİK", ["sık", "sik"], "tr_TR", "sik")],
)  # fmt: skip
def test_match_word(
    text: str, words: list[str], locale: str, expected: str | None
) -> None:
    assert match_word(text, words, locale) == expected


def test_a_word_two_words_could_be_is_none() -> None:
    """``KIRIK`` at a Turkish desk is ``kırık``, none of these words; by the
    standard fold it could be either, and the desk's own fold tells them
    apart: it is neither. Words that fold alike are one word."""
    assert match_word("KIRIK", ["kırik", "kirık"], "tr_TR") is None
    assert match_word("KIRIK", ["kırık", "Kırık"], "tr_TR") == "kırık"


@pytest.mark.parametrize(
    ("written", "expected"),
    [("EVET", True), ("HAYIR", False), ("hayır", False), ("Hayir", False),
     ("EKLİ", True), ("ALINDI", True), ("EKSİK", False), ("YES", True)],
)  # fmt: skip
def test_turkish_yes_and_no_in_capitals(written: str, expected: bool) -> None:
    """A Turkish desk's own words in Turkish capitals: ``EKLİ`` folded to
    ``ekli`` plus a combining dot, and ``ALINDI`` to ``alindi``; both were
    refused as neither yes nor no."""
    yes, no = yes_no_words("tr", ("ekli", "alındı"), ("eksik",))
    ctx = ValueContext(yes=yes, no=no, language="tr")
    adapter: TypeAdapter[bool | None] = TypeAdapter(KeyedBool)
    assert adapter.validate_python(written, context=ctx) is expected
