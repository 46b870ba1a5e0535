"""Korean names written in Hangul, and how their passports spell them.

A name in Hangul (``김민준``) is the surname, then the given name, usually
with no space between. anyascii spells each syllable by the Revised
Romanization, near enough (``김`` ``Gim``, ``이`` ``I``, ``박`` ``Bag``), but
South Korean passports let people choose the spelling of their surname, and
almost none choose that one: the same 김 is ``KIM`` on the passport and so
on the hotel's folio (trial 35: 4 of 5 stays went to review as
``name_mismatch``). `SURNAMES` gives the spellings people actually use of
the most common surnames; `readings` splits a Hangul name into surname and
given name (every way it may be split: ``남궁민`` is 남궁 + 민 or 남 + 궁민),
the given name as anyascii spells it and joined (passports write
``MINJUN`` or ``MIN-JUN``, people also ``Min Jun``). Pure; used by
`claimflow.verify.candidates` (any client: Hangul is only Korean) and
`claimflow.dedupe.normalise`.

Example: ``readings("김민준")[0] == KoreanName("김", ("kim", "gim"), "minjun")``
"""

from __future__ import annotations

from dataclasses import dataclass

from anyascii import anyascii

#: Hangul surname -> its Latin spellings, the most usual first (the one a
#: Korean desk's records are folded to), the Revised Romanization among
#: them. Written from general knowledge of the public convention, not from
#: a register; checked against published passport statistics for the first
#: few (Kim 99.8%, Lee 98.4% with Yi and Rhee, Park 97.3% with Bak and Pak,
#: Choi 88.5%, Jung 41% with Jeong and Chung, Kang 95.9%, Yoon 49% with Yun
#: and Youn, Lim 62% with Im and Yim). No spelling belongs to two surnames:
#: 류 (Ryu) is also written Yoo, and 천 (Cheon) Chun, but those spellings are
#: 유's and 전's here, so that a Korean desk folds each to one surname;
#: rarer surnames are left to anyascii.
SURNAMES: dict[str, tuple[str, ...]] = {
    "김": ("kim", "gim"),
    "이": ("lee", "yi", "rhee", "i", "ree"),
    "박": ("park", "pak", "bak", "bahk"),
    "최": ("choi", "choe"),
    "정": ("jung", "jeong", "chung", "cheong"),
    "강": ("kang", "gang"),
    "조": ("cho", "jo", "jho", "joh"),
    "윤": ("yoon", "yun", "youn"),
    "장": ("jang", "chang"),
    "임": ("lim", "im", "yim", "rim"),
    "한": ("han",),
    "오": ("oh", "o"),
    "서": ("seo", "suh", "so"),
    "신": ("shin", "sin", "shinn"),
    "권": ("kwon", "gwon"),
    "황": ("hwang",),
    "안": ("ahn", "an"),
    "송": ("song",),
    "유": ("yoo", "yu", "you"),
    "류": ("ryu", "ryoo", "rhyu"),
    "홍": ("hong",),
    "전": ("jeon", "chun", "jun", "chon"),
    "고": ("ko", "go", "koh"),
    "문": ("moon", "mun"),
    "양": ("yang",),
    "손": ("son", "sohn"),
    "배": ("bae", "pae"),
    "백": ("baek", "paek", "baik", "paik"),
    "허": ("heo", "huh", "hur"),
    "남": ("nam",),
    "노": ("noh", "roh", "no"),
    "심": ("shim", "sim"),
    "하": ("ha",),
    "곽": ("kwak", "gwak"),
    "성": ("sung", "seong"),
    "차": ("cha",),
    "주": ("joo", "ju"),
    "우": ("woo", "u"),
    "구": ("koo", "ku", "gu"),
    "민": ("min",),
    "진": ("jin", "chin"),
    "지": ("ji", "chi"),
    "엄": ("um", "eom", "uhm"),
    "채": ("chae", "chai"),
    "원": ("won", "weon"),
    "방": ("bang", "pang"),
    "공": ("kong", "gong"),
    "현": ("hyun", "hyeon"),
    "변": ("byun", "byeon", "pyun"),
    "염": ("yeom", "yum"),
    "여": ("yeo", "yoh"),
    "추": ("choo", "chu"),
    "도": ("do", "doh"),
    "석": ("seok", "suk"),
    "설": ("seol", "sul"),
    "길": ("gil", "kil"),
    "표": ("pyo",),
    "명": ("myung", "myeong"),
    "기": ("ki", "gi"),
    "나": ("na", "ra"),
    "남궁": ("namgung", "namkung", "namgoong"),
    "제갈": ("jegal", "chegal"),
    "선우": ("sunwoo", "seonu"),
    "황보": ("hwangbo",),
    "독고": ("dokgo", "tokko"),
}  # fmt: skip

#: A Latin spelling -> its Hangul surname (each spelling has one).
SURNAME_OF: dict[str, str] = {
    spelling: hangul for hangul, spellings in SURNAMES.items() for spelling in spellings
}

_SYLLABLES = range(0xAC00, 0xD7A4)


@dataclass(frozen=True)
class KoreanName:
    """One reading of a Hangul name.

    Attributes:
        surname: the surname in Hangul (``김``).
        spellings: its Latin spellings, the most usual first (``kim``,
            ``gim``); anyascii's for a surname `SURNAMES` does not list.
        given: the given name in Latin, casefolded and joined (``minjun``).
    """

    surname: str
    spellings: tuple[str, ...]
    given: str


def is_hangul(text: str) -> bool:
    """Whether `text` is a name in Hangul syllables (spaces, dots and
    hyphens aside). Example: ``is_hangul("김 민준") is True``"""
    letters = [c for c in text if not c.isspace() and c not in "-·."]
    return bool(letters) and all(ord(c) in _SYLLABLES for c in letters)


def latin(hangul: str) -> str:
    """Hangul as anyascii spells it, casefolded and joined.

    Example: ``latin("민-준") == "minjun"``"""
    return "".join(c for c in anyascii(hangul).casefold() if c.isalnum())


def spellings(surname: str) -> tuple[str, ...]:
    """The Latin spellings of a Hangul surname, the most usual first.

    Example: ``spellings("이")[0] == "lee"``"""
    return SURNAMES.get(surname) or (latin(surname),)


def readings(name: str) -> list[KoreanName]:
    """The ways a Hangul name splits into surname and given name; none for
    a name not in Hangul.

    Written with a space (``남궁 민``), the first word is the surname;
    otherwise the first syllable, or the first two where they are a
    two-syllable surname (both readings then, as 남궁민 may be 남 궁민).

    Example: ``[r.surname for r in readings("남궁민")] == ["남궁", "남"]``
    """
    if not is_hangul(name):
        return []
    words = name.replace("·", " ").split()
    if len(words) > 1:
        cuts = [len(words[0])]
        joined = "".join(words)
    else:
        joined = words[0]
        cuts = [2, 1] if joined[:2] in SURNAMES and len(joined) > 2 else [1]
    return [
        KoreanName(joined[:cut], spellings(joined[:cut]), latin(joined[cut:]))
        for cut in cuts
    ]
