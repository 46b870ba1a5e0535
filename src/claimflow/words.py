"""A client's words compared in any case, as its language writes capitals.

A program's tiers (``altın``), yes and no words (``hayır``) and the like are
words of the client's language that a member list or a form may write in
capitals. Python's `str.casefold` knows one rule for every language, and in
Turkish and Azerbaijani it is wrong: their capital of ``ı`` is ``I`` and of
``i`` is ``İ``, so ``ALTIN`` folded to ``altin`` and never met ``altın``
(trial 34), and ``İ`` folded to ``i`` plus a combining dot.

`word_fold` folds a word by its language's rule; `match_word` finds which
of a client's words a written one is, by the language's fold first and,
when that finds none, by the other fold (``PLATIN``, upper-cased in ASCII
by a system that knew no Turkish, is still ``platin``). A written word
that two different words could be is none of them. Codes (hotel codes,
channels, rate codes, SKUs) are not words of a language and keep their
plain case fold.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

#: Languages whose dotted and dotless i are two letters (Unicode SpecialCasing).
DOTLESS_I_LANGUAGES = frozenset({"tr", "az"})


def _language(locale: str | None) -> str:
    return (locale or "").replace("-", "_").split("_", 1)[0].casefold()


def _fold(text: str, dotless: bool) -> str:
    text = unicodedata.normalize("NFC", text.strip())
    if dotless:
        text = text.replace("I", "ı")
    # İ is i in every language: casefold would add a combining dot above
    return text.replace("İ", "i").casefold()


def word_fold(text: str, locale: str | None = None) -> str:
    """`text` case folded as `locale`'s language writes capitals.

    Args:
        text: a word as written.
        locale: a Babel locale or language (``tr_TR``, ``tr``); None: no
            language's own rule.

    Returns:
        The word in lower case: in Turkish and Azerbaijani ``I`` is ``ı``
        and ``İ`` is ``i``; elsewhere ``I`` is ``i`` (and ``İ`` too).

    Example: ``word_fold("ALTIN", "tr_TR") == "altın"``
    """
    return _fold(text, _language(locale) in DOTLESS_I_LANGUAGES)


def match_word(text: str, words: Iterable[str], locale: str | None = None) -> str | None:
    """The one of `words` that `text` is, in any case, or None.

    Compared by `word_fold` in `locale`'s language first; when that finds
    none, by the other rule for ``I`` (the standard fold at a Turkish desk,
    the Turkish one elsewhere). Words that fold alike are one word (the
    first is returned); a written word that two different words could be
    is none.

    Args:
        text: the word as written.
        words: the client's words (any case).
        locale: the client's locale or language.

    Returns:
        The matching word as `words` has it, or None.

    Example: ``match_word("ALTIN", ["gümüş", "altın"], "tr_TR") == "altın"``
    """
    dotless = _language(locale) in DOTLESS_I_LANGUAGES
    listed = list(words)
    for rule in (dotless, not dotless):
        key = _fold(text, rule)
        # keyed by the language's own fold: two of them are two words
        found: dict[str, str] = {}
        for word in listed:
            if _fold(word, rule) == key:
                found.setdefault(_fold(word, dotless), word)
        if found:
            return next(iter(found.values())) if len(found) == 1 else None
    return None
