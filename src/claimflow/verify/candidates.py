"""Finding a claim's source records: by its key, or a keying slip away.

`candidates` gives the records of a claim's key (normalised: case, spaces,
dashes, leading zeros) and, failing that, the nearest a keying slip away
(OCR confusions folded, `key_distance`), taken only where the other
identifying fields bear them out (`sale_fits`: the dealer, and the SKU or
the date; `stay_fits`: the guest's name, `name_similarity`, or the dates).
`distinct` folds the same stay stored twice into one. Pure over a
`claimflow.verify.match.Lookup`; `claimflow.verify.match` uses these.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from claimflow.fields import ascii_fold
from claimflow.hangul import KoreanName, readings
from claimflow.models import SaleRecord, SalesClaim, StayClaim, StayRecord
from claimflow.validate.batch import fold_key
from claimflow.verify.settings import VerificationSettings
from claimflow.verify.source import SourceRecord, source_key

if TYPE_CHECKING:
    from claimflow.verify.match import Lookup


_TITLES = {
    "MR",
    "MRS",
    "MS",
    "MISS",
    "DR",
    "SR",
    "SRA",
    "SRTA",
    "DON",
    "DONA",
    "MME",
    "M",
}


def key_distance(a: str, b: str) -> int:
    """Keying slips between two keys (transposition counts once)."""
    return int(OSA.distance(fold_key(a), fold_key(b)))


def _name_tokens(name: str) -> list[str]:
    folded = ascii_fold(name).upper()
    if "/" in folded:  # folio style: LAST/FIRST TITLE
        last, first = folded.split("/", 1)
        folded = f"{first} {last}"
    tokens = [
        t
        for t in folded.replace(",", " ").replace(".", " ").split()
        if t not in _TITLES
    ]
    return tokens


def _pairs(claimed: str, source: str) -> list[tuple[list[str], list[str]]]:
    """The two names' tokens as compared: as folded, or, where one is in
    Hangul, each reading of it beside the other in the same form (below)."""
    a, b = _name_tokens(claimed), _name_tokens(source)
    ko_a, ko_b = readings(claimed), readings(source)
    if ko_a and ko_b:
        return [(_korean(x), _korean(y)) for x in ko_a for y in ko_b]
    if ko_a:
        return [_as_korean(name, b) for name in ko_a]
    if ko_b:
        return [_as_korean(name, a)[::-1] for name in ko_b]
    return [(a, b)]


#: Customary spellings of vowels in Korean given names, as the Revised
#: Romanization writes them (훈 ``HOON``/``hun``, 영 ``YOUNG``/``yeong``,
#: 희 ``HEE``/``hui`` comes near): a one-letter slip left fewer than 0.86
#: of a short name.
_VOWELS = (("OO", "U"), ("OU", "EO"), ("EE", "I"))


def _given(text: str) -> str:
    for customary, revised in _VOWELS:
        text = text.replace(customary, revised)
    return text


def _korean(name: KoreanName, surname: str | None = None) -> list[str]:
    return [_given(name.given.upper()), (surname or name.spellings[0]).upper()]


def _as_korean(name: KoreanName, other: list[str]) -> tuple[list[str], list[str]]:
    """A Hangul name and a Latin one as ``[GIVEN, SURNAME]``.

    The Latin name's surname is its last word (a folio's ``KIM/MINJUN``,
    or ``Minjun Kim``) or its first (``Kim Min-jun``) when it is one of the
    Hangul surname's spellings, which the Hangul side then takes; its
    other words are the given name, joined (``MIN-JUN``, ``MIN JUN`` and
    ``MINJUN`` alike). Otherwise the surnames differ, and compare so.
    """
    upper = [s.upper() for s in name.spellings]
    for at in {len(other) - 1, 0} if other else ():
        if other[at] in upper:
            given = _given("".join(other[:at] + other[at + 1 :]).replace("-", ""))
            return _korean(name, other[at]), [t for t in (given, other[at]) if t]
    # no surname known, so no vowels folded: YOU would read as 여's YEO
    return _korean(name), [t.replace("-", "") for t in other]


def name_similarity(claimed: str, source: str) -> float:
    """0-1: names alike despite order, accents, titles and initials.

    A name in Hangul meets its passport spelling: the surname as Koreans
    spell it (김 ``KIM``, 이 ``LEE``/``YI``, `claimflow.hangul.SURNAMES`),
    the given name however its syllables are joined (trial 35).

    Example: ``name_similarity("José Núñez Peña", "NUNEZ PENA/JOSE MR") == 1.0``
    """
    return max(_similarity(a, b) for a, b in _pairs(claimed, source))


def _similarity(a: list[str], b: list[str]) -> float:
    if not a or not b:
        return 0.0
    score = (
        max(
            fuzz.token_sort_ratio(" ".join(a), " ".join(b)),
            fuzz.token_set_ratio(" ".join(a), " ".join(b)),
        )
        / 100
    )
    initials = {t[0] for t in a if len(t) == 1} | {t[0] for t in b if len(t) == 1}
    if (
        initials
        and set(a[-1:]) & set(b)
        and any(t[0] in initials for t in a + b if len(t) > 1)
    ):
        score = max(score, 0.9)
    return score


#: Whether the records of one key a keying slip away are the claim's.
Fits = Callable[[Sequence[SourceRecord]], bool]


def candidates(
    key: str,
    day: date | None,
    lookup: Lookup,
    settings: VerificationSettings,
    hotel: str | None,
    fits: Fits,
) -> tuple[list[tuple[int, SourceRecord]], bool]:
    """The records of the claim's key; failing that, the nearest a slip away.

    Records a slip away are taken per key (an invoice's lines, a stay) and
    only when `fits` finds their other identifying fields agree.
    """
    exact = lookup.by_key(key)
    if exact or day is None or settings.max_key_edits == 0:
        return exact, False
    span = timedelta(days=settings.date_tolerance_days + 3)
    wanted = key.rsplit("|", maxsplit=1)[-1]
    scored = []
    groups: dict[tuple[str, str], list[SourceRecord]] = {}
    for rid, record in lookup.near(day - span, day + span):
        if hotel is not None and getattr(record, "hotel_code", "").upper() != hotel:
            continue
        have = source_key(record).split("|")[-1]
        distance = key_distance(wanted, have)
        if distance <= settings.max_key_edits:
            scored.append((distance, rid, record))
            groups.setdefault(_identity(record), []).append(record)
    scored = [s for s in scored if fits(groups[_identity(s[2])])]
    if not scored:
        return [], True
    best = min(d for d, _, _ in scored)
    return [(rid, rec) for d, rid, rec in scored if d == best], True


def distinct(
    found: list[tuple[int, SourceRecord]],
) -> list[tuple[int, SourceRecord]]:
    """The records with other values than one stored before them: the same
    stay in two exports (the November file and a re-sent one) is one stay,
    the first stored, never two candidates. Only where they came from (the
    provenance) may differ, and an amount however its export wrote it
    (``4500`` and ``4500.00`` are one value); a stay whose values differ
    stays a candidate."""
    first: dict[str, tuple[int, SourceRecord]] = {}
    for rid, record in found:
        values = json.dumps(
            record.model_dump(exclude={"provenance"}), sort_keys=True, default=_same_value
        )
        if values not in first or rid < first[values][0]:
            first[values] = (rid, record)
    return list(first.values())


def _same_value(value: object) -> str:
    """A value as `distinct` compares it: a Decimal by its value (``4500``
    and ``4500.00`` alike), anything else as text."""
    if isinstance(value, Decimal) and value.is_finite():
        return format(value.normalize(), "f")
    return str(value)


def _identity(record: SourceRecord) -> tuple[str, str]:
    """One invoice of one dealer, or one stay: its key (and dealer)."""
    return source_key(record), getattr(record, "dealer_id", "").upper()


def on_date(
    claimed: date | None, source: date, settings: VerificationSettings
) -> bool:
    """A claimed date within the client's tolerance of the source's."""
    return claimed is not None and abs(claimed - source) <= timedelta(
        days=settings.date_tolerance_days
    )


def sale_fits(claim: SalesClaim, settings: VerificationSettings) -> Fits:
    """Whether an invoice a slip away is the claim's.

    Its dealer agrees (or the claim names none), and the claimed SKUs are on
    it or its date agrees.
    """

    def fits(records: Sequence[SourceRecord]) -> bool:
        lines = [r for r in records if isinstance(r, SaleRecord)]
        if not lines:
            return False
        first = lines[0]
        if claim.dealer_id and claim.dealer_id.upper() != first.dealer_id.upper():
            return False
        claimed = {(line.sku or "").upper() for line in claim.lines} - {""}
        invoiced = {r.sku.upper() for r in lines}
        skus = bool(claimed) and claimed <= invoiced
        return skus or on_date(claim.invoice_date, first.invoice_date, settings)

    return fits


def stay_fits(claim: StayClaim, settings: VerificationSettings) -> Fits:
    """Whether a stay a slip away (at the claimed hotel) is the claim's.

    The guest's name agrees, or the dates do (check-in, and check-out where
    claimed).
    """

    def fits(records: Sequence[SourceRecord]) -> bool:
        for record in records:
            if not isinstance(record, StayRecord):
                continue
            if claim.member_name and guest_fits(
                claim.member_name, record.guest_name, settings
            ):
                return True
            if on_date(claim.check_in, record.arrival, settings) and (
                claim.check_out is None
                or on_date(claim.check_out, record.departure, settings)
            ):
                return True
        return False

    return fits


def guest_fits(claimed: str, guest: str, settings: VerificationSettings) -> bool:
    """The claimed name is the folio's guest (or, if allowed, family)."""
    spouse = settings.allow_spouse and any(
        set(a[-1:]) & set(b) for a, b in _pairs(claimed, guest)
    )
    return name_similarity(claimed, guest) >= settings.name_threshold or spouse
