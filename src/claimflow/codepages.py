"""Which single-byte code page a text table was written in, judged by its text.

A single-byte code page decodes any bytes, so a file written in another
one reads without an error, as garble: a Hungarian DOS export (cp852) read
as cp1250 gives ``Nagy ™d”n`` for ``Nagy Ödön``, a Turkish Excel file
(cp1254) read as cp1252 gives ``ÝSMAÝL`` for ``İSMAİL``. This module finds
such words in a reading (`garbled`), given the letters the client's locale
writes, and the code pages that read the same bytes plausibly
(`candidates`), so that `claimflow.sniff` can refuse the file naming a word,
its row and column, and the code page to give instead. Inputs are text and
bytes; nothing here reads a file.

Example: ``garbled("id;name\\n1;ÝSMAÝL\\n", "tr_TR")[0].word == "ÝSMAÝL"``
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from typing import NamedTuple

from claimflow.keys import look_alike

#: The letters beyond ASCII each language writes (lower case; upper case
#: is read through it). A name from another language is still read: these
#: only decide whether a letter that a misread code page makes (`_TELLTALES`)
#: is the client's own, and which candidate reading fits the client best.
#: A language not listed (English) owns none of those letters, and its
#: files, which hold other languages' names, rank readings by nothing.
ALPHABETS: dict[str, str] = {
    "cs": "áčďéěíňóřšťúůýž",
    "sk": "áäčďéíĺľňóôŕšťúýž",
    "pl": "ąćęłńóśźż",
    "hu": "áéíóöőúüű",
    "ro": "ăâîșțşţ",
    "hr": "čćđšž",
    "bs": "čćđšž",
    "sr": "čćđšž",
    "sl": "čćđšž",
    "sq": "çë",
    "de": "äöüß",
    "fr": "àâæçéèêëîïôœùûüÿ",
    "es": "áéíñóúüºª",
    "ca": "àçèéíïòóúüºª",
    "gl": "áéíñóúºª",
    "eu": "ñ",
    "it": "àèéìíîòóùúºª",
    "pt": "áâãàçéêíóôõúºª",
    "nl": "áéèëïóöü",
    "da": "æøåé",
    "nb": "æøåéó",
    "nn": "æøåéó",
    "no": "æøåéó",
    "sv": "åäöé",
    "fi": "äöåšž",
    "et": "äõöüšž",
    "lt": "ąčęėįšųūž",
    "lv": "āčēģīķļņšūž",
    "is": "áðéíóúýþæö",
    "fo": "áðíóúýæø",
    "ga": "áéíóú",
    # İ lower-cased is i and a combining dot above
    "tr": "çğıöşüâîû\u0069\u0307",
    "az": "çəğıöşü\u0069\u0307",
    # cp1258 writes most tones as combining marks after these (ê + ̃: ễ)
    "vi": "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ",
}

#: (º and ª, the ordinal indicators of Nº 1ª, are letters to Unicode and
#: the Romance languages' own: a code page that reads them as signs is no
#: better a reading of a Spanish 'Nº vendedor'.)

#: Languages of other scripts: their letters are those of the script.
_SCRIPTS = {
    "el": "GREEK", "ru": "CYRILLIC", "uk": "CYRILLIC", "be": "CYRILLIC",
    "bg": "CYRILLIC", "mk": "CYRILLIC", "he": "HEBREW", "ar": "ARABIC",
    "fa": "ARABIC", "th": "THAI",
}  # fmt: skip

_CENTRAL = ("cp1250", "cp852")
_WESTERN = ("cp1252", "cp850")
_CYRILLIC = ("cp1251", "cp866", "koi8_r")
_BALTIC = ("cp1257", "cp775")
#: The code pages a language's files come in: Windows' (what Excel writes)
#: first, then DOS's (old ERP and till exports).
CODE_PAGES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("cs", "sk", "pl", "hu", "ro", "hr", "bs", "sl", "sq"), _CENTRAL),
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "sr"), _CYRILLIC),
    **dict.fromkeys(("lt", "lv", "et"), _BALTIC),
    **dict.fromkeys(
        ("de", "fr", "es", "ca", "gl", "eu", "it", "pt", "nl", "da", "nb", "nn",
         "no", "sv", "fi", "fo", "ga"),
        _WESTERN,
    ),  # fmt: skip
    # An English desk's files hold names of any Western language, in
    # Windows' page or DOS's (US cp437, multilingual cp850): a tie between
    # plausible readings goes to these, not to a Baltic page that happens to
    # read ë as ē (a cp437 'Zoë Müller' was suggested as cp775 'Zoē').
    "en": ("cp1252", "cp850", "cp437"),
    "is": ("cp1252", "cp861", "cp850"),
    "tr": ("cp1254", "cp857"),
    "az": ("cp1254",),
    "el": ("cp1253", "iso8859_7", "cp737"),
    "he": ("cp1255", "cp862"),
    "ar": ("cp1256",),
    "fa": ("cp1256",),
    "th": ("cp874",),
    "vi": ("cp1258",),
}
#: Every code page a refused file is tried in, after the client's own.
_TRIED = tuple(
    dict.fromkeys(
        ("cp1252", "cp1250", "cp1254", "cp1257", "cp1251", "cp1253", "cp1255",
         "cp1256", "cp850", "cp852", "cp857", "cp437", "cp861", "cp775", "cp866",
         "cp737", "koi8_r", "mac_roman")
    )
)  # fmt: skip
TRIED_CODE_PAGES = _TRIED

#: Signs that words do hold inside them: the Catalan middle dot (col·legi),
#: apostrophes and acute accents for them (don´t), ordinal indicators
#: (Nº, 1ª), dashes and ellipses (Müller–Schmidt, wait…what).
_IN_WORDS = frozenset("·´’‘ºª–—‐‑…")
#: Letters of few languages that a misread code page makes of common ones:
#: cp1254's İ ı Ş ş Ğ ğ read as cp1252 are Ý ý Þ þ Ð ð, and as cp1250 Ý ý
#: Ţ ţ Đ đ. Each is garble in a file of a client whose language lacks it.
_TELLTALES = frozenset("ÝýÞþÐðŢţĐđ")
#: A word runs to a space, a delimiter or a quote; a no-break space stays
#: inside (cp852's á is a no-break space in cp1250 and cp1252: Kov cs).
_WORD = re.compile(r'[^ \t\r\n\f\v,;|"]+')


class Garble(NamedTuple):
    """A word that reads as garble in the client's language.

    Attributes:
        start: the word's offset in the text.
        word: the word as read.
        sign: the character that makes it garble.
        why: ``symbol`` (a symbol inside a word), ``letter`` (a letter the
            client's language does not write, which a misread code page
            makes), ``capital`` (a capital after a small letter, ``оПНЕТ``:
            KOI8-R read as cp1251), ``script`` (a Cyrillic or Greek letter
            among Latin ones, ``Mьller``), ``space`` (a no-break space
            before a small letter) or ``control`` (a C1 control character).
    """

    start: int
    word: str
    sign: str
    why: str


def language(locale: str | None) -> str | None:
    """The language of a Babel locale: ``tr_TR`` -> ``tr``; None for none."""
    if not locale:
        return None
    return re.split(r"[_\-@.]", locale, maxsplit=1)[0].lower() or None


def writes(letter: str, lang: str | None) -> bool | None:
    """Whether `lang` writes `letter`; None when its letters are not known."""
    if lang in _SCRIPTS:
        return unicodedata.name(letter, "").startswith(_SCRIPTS[lang] + " ")
    alphabet = ALPHABETS.get(lang or "")
    if alphabet is None:
        return None
    return letter.isascii() or letter in alphabet or letter.lower() in alphabet


def garbled(
    text: str, locale: str | None, limit: int = 50, encoding: str | None = None
) -> list[Garble]:
    """The words of `text` that read as garble for a client of `locale`.

    A word is garble when it holds a symbol between two letters (``d”n``,
    ``cz³onkowski``; a dash, an apostrophe or a middle dot aside), a C1
    control character, or one of `_TELLTALES` that the client's language
    does not write (``ÝSMAÝL`` for tr_TR or de_DE, never for is_IS). A
    ``ý`` ending a word is left alone outside Turkish: Czech and Slovak
    names keep theirs in Western files (``Novotný``). Given the code page
    `text` was read in, a word is garble too when its letters beyond ASCII
    are all foreign to the client's language and one of the language's own
    code pages reads its bytes with the language's letters only (a
    Hungarian ``Kõvári`` read as cp1252 is ``Kővári`` in cp1250), when
    `encoding` is not one of those.

    Args:
        text: the text as read.
        locale: the client's locale (``hu_HU``), or None.
        limit: stop after this many.
        encoding: the code page `text` was read in, if known.

    Returns:
        The garbled words, in order.

    Example: ``garbled("Nagy ™d”n", "hu_HU")[0].sign == "”"``
    """
    lang = language(locale)
    turkish = writes("ı", lang)
    pages = CODE_PAGES.get(lang or "", ())
    own = list(pages[:1])
    if encoding is None or _name(encoding) in {_name(c) for c in pages}:
        # Read in a code page of the language's own, a foreign letter is a
        # name from elsewhere (Müller, Donà), which the language's other
        # code page would read as one of its letters (MŘller, DonÓ); and
        # only its Windows code page is asked, for the same reason.
        own = []
    found: list[Garble] = []
    for match in _WORD.finditer(text):
        word = match.group()
        if word.isascii():
            continue
        hit = _garble_in(word, lang, bool(turkish)) or _foreign_in(word, lang, encoding, own)
        if hit is not None:
            found.append(Garble(match.start(), word, *hit))
            if len(found) >= limit:
                break
    return found


def _script(letter: str) -> str:
    """``LATIN``, ``CYRILLIC``, ``GREEK``...: a letter's script, by its name."""
    return unicodedata.name(letter, "?").split(" ", 1)[0]


def _garble_in(word: str, lang: str | None, turkish: bool) -> tuple[str, str] | None:
    scripts = {_script(c): c for c in word if c.isalpha()}
    mixed = [c for s, c in scripts.items() if s in ("CYRILLIC", "GREEK")]
    if mixed and len(scripts) > 1 and not _look_alike_code(word):
        return mixed[0], "script"  # Юule: no word mixes Latin and Cyrillic
    for i, ch in enumerate(word):
        if ch.isascii():
            continue
        if 0x80 <= ord(ch) <= 0x9F:
            return ch, "control"
        if (
            unicodedata.combining(ch)
            and _script(ch) == "COMBINING"  # the shared marks, not a fatha on m
            and i > 0
            and (word[i - 1].isalpha() or unicodedata.combining(word[i - 1]))
        ):
            continue  # cp1258 writes Vietnamese tones as marks: Nguyê\u0303n
        if ch.isalpha() and unicodedata.category(ch) != "Lm":  # ˇ ˘ ˙ are signs
            why = _odd_letter(word, i, lang, turkish)
        else:
            why = _odd_sign(word, i)
        if why is not None:
            return ch, why
    return None


def _look_alike_code(word: str) -> bool:
    """Whether `word` is a code with digits whose letters are capitals and
    its Cyrillic or Greek ones look like Latin ones (``AВC-100`` keyed on a
    Russian layout): a keying slip for the field's rules to name
    (`claimflow.keys.script_slip`), not garble of a misread code page, which
    makes letters such as ь or Ю of Latin text (``Mьller``)."""
    return (
        any(c.isdigit() for c in word)
        and not any(c.islower() for c in word)
        and all(c.isascii() or look_alike(c) for c in word if c.isalpha())
    )


def _odd_letter(word: str, i: int, lang: str | None, turkish: bool) -> str | None:
    """``letter`` when the letter `word[i]` is garble, else None."""
    ch, after = word[i], word[i + 1 : i + 2]
    if (
        ch.isupper() and lang != "ga"  # Irish hÉireann
        and (i > 0 and word[i - 1].islower()
             or i == 1 and word[0].isupper() and after.islower())
    ):  # fmt: skip
        return "capital"  # ValdÚs, DonÓ, MŘller: é, à, ü in a DOS code page
    if ch == "ß" and i == 1 and word[0].isupper():
        return "letter"  # Äßk: no word starts with a capital and ß
    if ch not in _TELLTALES or writes(ch, lang):
        return None
    if ch in "Ýý" and not after.isalpha() and not turkish:
        return None
    return "letter"


def _odd_sign(word: str, i: int) -> str | None:
    """``symbol`` or ``space`` when the sign `word[i]` is garble, else None."""
    ch, last = word[i], len(word) - 1
    if _marks_letter(word, i):
        return None  # مُحَمَّد, محـمد: Arabic vowel signs and tatweel are writing
    if _joiner(word, i):
        return None  # حسین‌زاده: Persian writes a zero-width non-joiner in words
    if "\u2500" <= ch <= "\u25ff":
        return "symbol"  # Durmu■: DOS box drawing, blocks and shapes are no text
    if ch == "\xa0":
        low = 0 < i < last and word[i + 1].islower() and not word[i - 1].isdigit()
        return "space" if low else None
    if i == 0 < last and word[1].islower() and (
        unicodedata.category(ch)[0] in "SN" or ch in "¶§"
    ):
        return "symbol"  # ¼upták: cp1250's Ľ read as cp1252; ¶φιξη: ISO-8859-7's Ά as cp1253
    if 0 < i < last and ch not in _IN_WORDS and not ch.isspace():
        run = i + 1  # Was¹¿nik: a run of signs between letters
        while run < last and _sign(word[run]):
            run += 1
        if word[i - 1].isalpha() and word[run].isalpha():
            return "symbol"
    return None


def _marks_letter(word: str, i: int) -> bool:
    """Whether `word[i]` is a vowel sign or a stretch of its script written
    on the letter before it: Arabic harakat (U+064B..U+0652) and tatweel
    (U+0640) after an Arabic letter, Hebrew points after a Hebrew letter.
    The same mark on a Latin letter (cp1252's ó read as cp1256: a fatha)
    is still garble."""
    ch = word[i]
    if unicodedata.category(ch) not in ("Mn", "Lm") or _script(ch) in ("COMBINING", "?"):
        return False
    for before in reversed(word[:i]):
        if unicodedata.category(before) not in ("Mn", "Lm"):
            return before.isalpha() and _script(before) == _script(ch)
    return False


def _joiner(word: str, i: int) -> bool:
    """Whether `word[i]` is a zero-width non-joiner or joiner (U+200C,
    U+200D) between two letters of one script that writes them inside
    words: Persian ``حسین‌زاده`` (cp1256's 0x9D), the Indic scripts. Between
    Latin, Cyrillic or Greek letters (cp1252's ž read as cp1256 is a
    joiner) it is still garble."""
    if word[i] not in "\u200c\u200d" or not 0 < i < len(word) - 1:
        return False
    before, after = word[i - 1], word[i + 1]
    script = _script(before)
    return (
        before.isalpha()
        and after.isalpha()
        and script == _script(after)
        and script not in ("LATIN", "CYRILLIC", "GREEK")
    )


def _sign(ch: str) -> bool:
    """A character beyond ASCII that is no letter and no space."""
    return not ch.isascii() and not ch.isspace() and (
        not ch.isalpha() or unicodedata.category(ch) == "Lm"
    )


def _foreign_in(
    word: str, lang: str | None, encoding: str | None, own: list[str]
) -> tuple[str, str] | None:
    """The first letter of `word` foreign to `lang` when a code page of the
    language reads the word's bytes (in `encoding`) as its own letters."""
    strange = [c for c in word if c.isalpha() and not c.isascii() and not writes(c, lang)]
    if not strange or encoding is None:
        return None
    raw = word.encode(encoding, errors="replace")
    for page in own:
        try:
            text = raw.decode(page)
        except UnicodeDecodeError:
            continue
        if text != word and all(c.isascii() or writes(c, lang) for c in text):
            return strange[0], "letter"
    return None


def foreign(text: str, locale: str | None) -> int:
    """How many letters of `text` the locale's language does not write
    (0 when its letters are not known)."""
    lang = language(locale)
    return sum(1 for c in text if c.isalpha() and not c.isascii() and writes(c, lang) is False)


def candidates(head: bytes, locale: str | None, besides: str = "") -> list[tuple[str, str]]:
    """The code pages that read `head` plausibly for a client of `locale`,
    best first, with the text each gives.

    Plausible: it decodes, and no word of it is `garbled`. Best: the fewest
    letters the client's language does not write, then a code page of the
    language, Windows' first (`CODE_PAGES`: hu_HU's cp852 before cp850,
    which read Ödön alike), then charset-normalizer's ranking.

    Args:
        head: the first bytes of the file.
        locale: the client's locale, or None.
        besides: the code page already found wanting, left out.

    Example: ``candidates("Nagy Ödön".encode("cp852"), "hu_HU")[0][0] == "cp852"``
    """
    own = CODE_PAGES.get(language(locale) or "", ())
    left_out = _name(besides) if besides else ""
    readings: dict[str, str] = {}
    for encoding in dict.fromkeys((*own, *_TRIED)):
        if _name(encoding) == left_out:
            continue
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not garbled(text, locale, limit=1, encoding=encoding):
            readings[encoding] = text
    if not readings:
        return []
    ranked = _normalizer_order(head, list(readings))

    def rank(encoding: str) -> tuple[int, int, int]:
        native = own.index(encoding) if encoding in own else len(own)
        return foreign(readings[encoding], locale), native, ranked.get(_name(encoding), 99)

    return [(e, readings[e]) for e in sorted(readings, key=rank)]


def _name(encoding: str) -> str:
    return codecs.lookup(encoding).name


def _normalizer_order(head: bytes, encodings: list[str]) -> dict[str, int]:
    """charset-normalizer's order of `encodings` for `head` (codec name -> rank)."""
    from charset_normalizer import from_bytes

    matches = from_bytes(head, cp_isolation=encodings)
    return {_name(m.encoding): i for i, m in enumerate(matches)}


def reread(word: str, locale: str | None) -> tuple[str, str] | None:
    """A garbled word read back as written: (code page, text), or None.

    The word's bytes in the code page that made it (cp1252, cp1250...) are
    read in each other one; the reading that is not garble and writes the
    fewest letters foreign to the client's language wins. For a header
    that names no column only because it was misread (``Giriþ``).

    Example: ``reread("Giriþ", "tr_TR") == ("cp1254", "Giriş")``
    """
    best: tuple[int, int, str, str] | None = None
    own = CODE_PAGES.get(language(locale) or "", ())
    for made_by in ("cp1252", "cp1250"):
        try:
            raw = word.encode(made_by)
        except UnicodeEncodeError:
            continue
        for encoding, text in candidates(raw, locale, besides=made_by):
            key = (foreign(text, locale), 0 if encoding in own else 1, encoding, text)
            if text != word and (best is None or key < best):
                best = key
    return None if best is None else (best[2], best[3])
