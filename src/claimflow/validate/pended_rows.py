"""Within one batch, the rows of pended claims: unread ones, and corrections.

The batch rules (`claimflow.validate.batch`) take the first claim of a key
(serial, invoice line, stay) as its original. Two kinds of pended claim
are handled apart:

- a claim with a value naming its sale or stay that could not be read (a
  quantity ``1.000``, a date ``31/09/2026``: `unread_claims`) repeats the
  first unread row of its key before it, else any earlier row, but is never
  the original of a readable one; a later claim of its participant sharing
  a key with it and with a field it was pended for now read is its
  correction when ``dedupe claims`` would supersede it by it
  (`unread_fixed`, `keyed`);
- a claim pended for another fixable problem (an amount ``149,0O``) is the
  original of other claims, but not of its own correction: a later claim
  of its participant that repeats it with a field it was pended for now
  without a problem is its resubmission (`Fixes`, the rule ``dedupe
  claims`` applies across batches, `claimflow.store.lifecycle`), never its
  duplicate. The first such claim resubmits it; later claims of the key
  are that resubmission's duplicates (`settle`), and ``dedupe claims``
  then supersedes the pended claim, as when the fix comes in a later batch.

A pended claim after its correction in the batch (files named in reverse
order, rows out of order), received before it, is handled as in file
order (`settle`): no repeat of it, and resubmitted. Each key index place
carries its claim's `Stamp` (participant, received instant, id, the fields
it was pended for or has problems in) for these decisions in later chunks.

Across the chunks of a batch the batch's key index carries what a later
chunk needs: the places of pended rows with their participant, fields and
claim (kind ``<kind>/pended``) and each resubmitted place's resubmission
(kind ``<kind>/resubmitted``), so the result is the same whatever the chunks.
Each pended claim resubmitted in the batch is kept by its id too (kind
`RESUBMITTED`, with where its resubmission stands): its participant's notice
asks for nothing its resubmission already sent (`claimflow.batch_run`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from claimflow.codes import Category, Outcome, decide
from claimflow.models import Claim, Problem, StayClaim
from claimflow.validate.record import Sourcing

if TYPE_CHECKING:
    from claimflow.validate.batch import SeenKeys

#: Between a pended row's participant, its fields and its claim in the key index.
_APART = "\x1e"
#: Between the parts of a key index place: where it stands, its claim as
#: named, the claim's `Stamp`.
PLACED = "\x1f"
#: The key index kind of pended claims resubmitted in the batch: claim id ->
#: where the resubmission stands.
RESUBMITTED = "resubmitted"
#: A pended place's participant, the fields it was pended for, and its claim id.
Pended = tuple[str, frozenset[str], str]


def _keyed(value: object) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def unread_claims(
    claims: Sequence[Claim], sourcing: Sequence[Sourcing], among: Sequence[int]
) -> set[int]:
    """Which of the claims `among` (indexes) have a value naming their sale or
    stay that was keyed but could not be read: the invoice date or a line's
    quantity of a sale, the dates of a stay.

    Such a claim is pended, and the participant's fix may follow in the same
    batch; a value left blank is not counted (a client may not require it).

    Example: ``unread_claims([claim], [Sourcing(raw, claim.id)], [0]) == {0}``
    when ``raw`` keyed the quantity ``1.000``
    """
    found: set[int] = set()
    for i in among:
        claim, raw = claims[i], sourcing[i].raw
        if isinstance(claim, StayClaim):
            lost = [f for f in ("check_in", "check_out") if getattr(claim, f) is None]
        else:
            lost = ["invoice_date"] if claim.invoice_date is None else []
            if any(
                line.quantity is None
                and n < len(raw.lines)
                and _keyed(raw.lines[n][1].get("quantity"))
                for n, line in enumerate(claim.lines)
            ):
                found.add(i)
        if any(_keyed(raw.values.get(f)) for f in lost):
            found.add(i)
    return found



def first_readable(keys: list[str], blind: set[int]) -> dict[str, int]:
    """Each key's first row not in `blind`: the original of later readable rows."""
    held: dict[str, int] = {}
    for i, key in enumerate(keys):
        if i not in blind:
            held.setdefault(key, i)
    return held


def first_unread(keys: list[str], blind: AbstractSet[int]) -> dict[str, int]:
    """Each key's first row in `blind` (the rows of unread claims)."""
    held: dict[str, int] = {}
    for i in sorted(blind):
        held.setdefault(keys[i], i)
    return held


def seen_before(
    seen: SeenKeys,
    kind: str,
    keys: list[str],
    blind: set[int],
    held: dict[str, int],
    place: Callable[[int], str],
) -> dict[int, str]:
    """The rows of unread claims whose key an earlier chunk had: where it was
    first seen there, an unread row's place first (an unread row repeats
    the first unread row of its key: a correction between them corrects
    that one, `settle`), else a readable row's.

    Readable rows' keys were looked up when this chunk's were added; the
    others' are looked up here. Unread rows' keys are kept apart (kind
    ``<kind>/unread``), so that they stay no original of a readable row.
    """
    firsts: dict[str, int] = {}
    for i in sorted(blind):
        firsts.setdefault(keys[i], i)
    readable = seen.earlier(kind, [k for k in firsts if k not in held])
    unread = seen.add(f"{kind}/unread", [(k, place(i)) for k, i in firsts.items()])
    return {
        i: unread.get(keys[i]) or readable[keys[i]]
        for i in blind
        if keys[i] in readable or keys[i] in unread
    }



@dataclass(frozen=True)
class Fixes:
    """What decides whether a claim of the batch corrects a pended one.

    Attributes:
        who: each claim's participant number ("" when none), by index.
        ids: each claim's id, by index.
        pended: claim index -> the fields it was pended for, for each claim
            its record rules pend (unread claims aside: see `unread_claims`).
        fields: claim index -> its fields with a record problem (claims
            with none left out).
    """

    who: tuple[str, ...]
    ids: tuple[str, ...]
    pended: dict[int, frozenset[str]]
    fields: dict[int, frozenset[str]]
    #: Each claim's received instant (ISO), by index.
    at: tuple[str, ...] = ()
    #: Unread claims pended, with the fields they were pended for.
    unread: dict[int, frozenset[str]] = field(default_factory=dict)
    #: What names each unread pended claim's sale or stay, as JSON (`sale_named`).
    named: dict[int, str] = field(default_factory=dict)
    #: No claim corrects another (set below the class).
    NONE: ClassVar[Fixes]

    @classmethod
    def of(
        cls,
        claims: Sequence[Claim],
        problems: Sequence[Sequence[Problem]],
        unread: AbstractSet[int],
    ) -> Fixes:
        """The fixes of a chunk, from its claims' record problems (in order).

        Example: ``Fixes.of([c1, c2], [[amount_problem], []], set()).pended == {0:
        frozenset({"line_total"})}``
        """
        pended: dict[int, frozenset[str]] = {}
        lost: dict[int, frozenset[str]] = {}
        for i, found in enumerate(problems):
            if decide([p.code for p in found]) is not Outcome.PENDED:
                continue
            data = frozenset(
                p.field for p in found if p.field and p.code.category is Category.DATA
            )
            if data:
                (lost if i in unread else pended)[i] = data
        return cls(
            who=tuple(c.participant_id or "" for c in claims),
            ids=tuple(c.id for c in claims),
            pended=pended,
            fields={
                i: frozenset(p.field for p in f if p.field)
                for i, f in enumerate(problems)
                if f
            },
            at=tuple(c.received_at.isoformat() for c in claims),
            unread=lost,
            named={i: sale_named(claims[i]) for i in lost},
        )

    def resubmits(self, new: int, old: Pended) -> bool:
        """Whether claim `new` corrects a pended claim (its participant and
        pended fields `old`): the same participant (or the pended one had
        none and was pended for it), and a field it was pended for now
        without a problem (`claimflow.store.lifecycle`'s rule)."""
        who, fields, _ = old
        mine = self.who[new]
        same = bool(mine) and (mine == who or (not who and "participant_id" in fields))
        return same and bool(fields - self.fields.get(new, frozenset()))


Fixes.NONE = Fixes((), (), {}, {})


@dataclass(frozen=True)
class Stamp:
    """What a key index place says of its claim, for a pended claim's
    correction elsewhere in the batch (`Stamp.of` writes it, `Stamp.read`
    reads it back from a place).

    Attributes:
        who: its participant number ("" when none).
        at: when it was received (ISO instant).
        claim: its id.
        pended: the fields it was pended for (none: not pended).
        fields: its fields with a record problem.
        named: what names its sale or stay, as JSON, for an unread pended
            claim ("" for others: `sale_named`).
    """

    who: str
    at: str
    claim: str
    pended: frozenset[str]
    fields: frozenset[str]
    named: str = ""

    @classmethod
    def of(cls, fixes: Fixes, i: int) -> str:
        """Claim `i`'s stamp as a place carries it (empty: `fixes` knows no claims)."""
        if not fixes.at:
            return ""
        pended = fixes.pended.get(i) or fixes.unread.get(i, frozenset())
        fields = fixes.fields.get(i, frozenset())
        parts = [fixes.who[i], fixes.at[i], fixes.ids[i], *map(_listed, (pended, fields))]
        return _APART.join([*parts, fixes.named.get(i, "")])

    @classmethod
    def read(cls, place: str, apart: str) -> Stamp | None:
        """The stamp at the end of `place` (after its last `apart`), if any."""
        said = place.rpartition(apart)[2].split(_APART)
        if len(said) != 6:
            return None
        who, at, claim, pended, fields, named = said
        return cls(who, at, claim, _unlisted(pended), _unlisted(fields), named)

    def corrects(self, old: Stamp, *, after: bool) -> bool:
        """Whether this claim is the correction of pended claim `old`: its
        participant's (or `old` had none and was pended for it), received
        after it (or, `after` it in the batch, not before it: ``dedupe
        claims``' order), with a field `old` was pended for now without a
        problem (`Fixes.resubmits`)."""
        mine, theirs = self.who, old.who
        same = bool(mine) and (mine == theirs or (
            not theirs and "participant_id" in old.pended))  # fmt: skip
        since = datetime.fromisoformat(self.at), datetime.fromisoformat(old.at)
        later = since[0] >= since[1] if after else since[0] > since[1]
        return same and later and bool(old.pended - self.fields)


def _listed(fields: frozenset[str]) -> str:
    return ",".join(sorted(fields))


def _unlisted(said: str) -> frozenset[str]:
    return frozenset(said.split(",")) if said else frozenset()


def settle(
    kind: str,
    claim_of: Sequence[int],
    flagged: dict[int, str],
    another: set[int],
    blind: AbstractSet[int],
    fixes: Fixes,
    seen: SeenKeys | None,
    place: Callable[[int], str],
) -> tuple[dict[int, str], set[int]]:
    """The repeats of one kind's rows, with pended claims' corrections taken out.

    Args:
        kind: the rule (``serial``, ``invoice_line``, ``stay``).
        claim_of: each row's claim (index).
        flagged: repeating row -> where its original stands.
        another: the repeats to review (another quantity of an invoice line).
        blind: rows of unread claims (left as they are).
        fixes: the chunk's pended claims and what their corrections need.
        seen: the batch's key index (None: one chunk).
        place: where a row stands, as the index keeps it.

    Returns:
        `flagged` and `another` without the rows of a claim that resubmits
        the pended claim taken as their original, and with the later
        repeats of that original pointing at its resubmission.

    Example: ``settle("serial", [0, 1], {1: "a.csv:row 2..."}, set(), set(),
    fixes, None, place) == ({}, set())`` when claim 1 corrects claim 0
    """
    wanted = sorted({flagged[i] for i in flagged if i not in blind})
    pended_at, replaced = _known(kind, claim_of, fixes, seen, place, wanted)
    if not flagged:
        return flagged, another
    out, review = dict(flagged), set(another)
    fixer: dict[str, int] = {}  # a place resubmitted in this chunk -> its claim
    links: list[tuple[str, str]] = []
    resubmitted: list[tuple[str, str]] = []  # (pended claim id, where its fix is)
    for i in sorted(flagged):
        original = flagged[i]
        if _corrected_before(kind, place(i), original):
            # an earlier-received pended claim after its correction: no
            # duplicate of it, and its correction resubmits it
            del out[i]
            review.discard(i)
            pended = Stamp.read(place(i), PLACED)
            assert pended is not None
            resubmitted.append((pended.claim, original))
            continue
        if i in blind:
            continue
        if fixer.get(original) == claim_of[i]:  # the resubmission's other rows
            del out[i]
            review.discard(i)
        elif original in replaced:
            out[i] = replaced[original]
        elif original in pended_at and fixes.resubmits(claim_of[i], pended_at[original]):
            del out[i]
            review.discard(i)
            replaced[original] = place(i)
            fixer[original] = claim_of[i]
            links.append((original, place(i)))
            resubmitted.append((pended_at[original][2], place(i)))
    if seen is not None and links:
        seen.add(f"{kind}/resubmitted", links)
    if seen is not None and resubmitted:
        # one claim may be resubmitted under several kinds: the first stays
        seen.add(RESUBMITTED, sorted(dict(resubmitted).items()))
    return out, review


def _corrected_before(kind: str, mine: str, original: str) -> bool:
    """Whether the row at place `mine` is of a pended claim whose correction
    (received after it) is the claim at place `original`, earlier in the
    batch: files named in reverse order, or rows out of order; ``dedupe
    claims`` meets the two on their key (`keyed`)."""
    old, new = Stamp.read(mine, PLACED), Stamp.read(original, PLACED)
    return (
        old is not None
        and new is not None
        and bool(old.pended)
        and new.corrects(old, after=False)
        and keyed(kind, old)
    )


def _known(
    kind: str,
    claim_of: Sequence[int],
    fixes: Fixes,
    seen: SeenKeys | None,
    place: Callable[[int], str],
    wanted: list[str],
) -> tuple[dict[str, Pended], dict[str, str]]:
    """The pended places (this chunk's, and those of `wanted` an earlier
    chunk had) with their participant, fields and claim, and the places of
    `wanted` an earlier chunk's claim resubmitted, with where it stands.
    This chunk's pended places go into the index for later chunks."""
    pended_at: dict[str, Pended] = {}
    for row, claim in enumerate(claim_of if fixes.pended else ()):
        if claim in fixes.pended:
            pended_at.setdefault(
                place(row), (fixes.who[claim], fixes.pended[claim], fixes.ids[claim])
            )
    if seen is None:
        return pended_at, {}
    if pended_at:
        seen.add(f"{kind}/pended", [(p, _said(v)) for p, v in pended_at.items()])
    if not wanted:
        return pended_at, {}
    outside = [p for p in wanted if p not in pended_at]
    for where, said in seen.earlier(f"{kind}/pended", outside).items():
        pended_at[where] = _read(said)
    return pended_at, seen.earlier(f"{kind}/resubmitted", wanted)


def _said(pended: Pended) -> str:
    who, fields, claim = pended
    return _APART.join([who, ",".join(sorted(fields)), claim])


def _read(said: str) -> Pended:
    who, fields, claim = said.split(_APART)
    return who, frozenset(fields.split(",")) if fields else frozenset(), claim


def unread_fixed(
    kind: str,
    keys: Sequence[str],
    claim_of: Sequence[int],
    blind: AbstractSet[int],
    flagged: AbstractSet[int],
    seen: SeenKeys | None,
    place: Callable[[int], str],
    identity: Callable[[int], str],
) -> list[tuple[int, tuple[str, str]]]:
    """The claims of readable rows that correct an unread pended claim
    earlier in the batch: (claim index, (pended claim id, where the
    correction stands)).

    An unread claim is never the original of a readable row (`first_readable`),
    so its correction repeats nothing; its key names the sale by the values
    that were read (the serial, the dealer's invoice and SKU, the hotel and
    confirmation). A readable row of the key later in the batch, repeating
    nothing else, corrects the first unread row's claim when its `Stamp`
    says so (`Stamp.corrects`) and it names the pended claim's sale or stay
(`identity`: claim index -> `sale_named`; ``dedupe claims``' rules,
`claimflow.dedupe.claims.repeats_pended`). Each chunk's first
    unread pended row of a key goes into the index (kind ``<kind>/unfixed``)
    for later chunks.
    """
    firsts: dict[str, int] = {}
    for i in sorted(blind):
        firsts.setdefault(keys[i], i)
    mine = {k: place(i) for k, i in firsts.items()}
    pended = {k: at for k, at in mine.items() if (s := Stamp.read(at, PLACED)) and s.pended}
    unfixed = f"{kind}/unfixed"
    earlier: dict[str, str] = {}
    if seen is not None:
        if pended:
            earlier = seen.add(unfixed, sorted(pended.items()))
        readable = {keys[i] for i in range(len(keys)) if i not in blind}
        if readable and seen.any(unfixed):
            earlier = seen.earlier(unfixed, sorted(readable))
            earlier = {k: at for k, at in earlier.items() if at != mine.get(k)}
    found: list[tuple[int, tuple[str, str]]] = []
    for i, key in enumerate(keys):
        if i in blind or i in flagged:
            continue
        at = earlier.get(key)
        if at is None:
            first = firsts.get(key)
            if first is None or first > i or key not in pended:
                continue
            at = pended[key]
        old, new = Stamp.read(at, PLACED), Stamp.read(place(i), PLACED)
        if (
            old
            and new
            and old.claim != new.claim
            and new.corrects(old, after=True)
            and (keyed(kind, old) or _names_sale(identity(claim_of[i]), old.named))
        ):
            found.append((claim_of[i], (old.claim, place(i))))
    return found


def sale_named(claim: Claim) -> str:
    """What names a claim's sale or stay (`claimflow.dedupe.claims`'
    identity fields: its document, dates, lines), as JSON."""
    from claimflow.dedupe.claims import identity_of

    return json.dumps(identity_of(claim.model_dump(mode="json")), sort_keys=True)


def keyed(kind: str, old: Stamp) -> bool:
    """Whether ``dedupe claims`` meets pended claim `old` on the key of
    `kind` it shares with another claim: a readable claim's keys are whole,
    a serial is met whenever claimed, and an unread claim's invoice line or
    stay only by its date (``claim_keys``: no date, no key)."""
    if not old.named or kind == "serial":
        return True
    theirs = json.loads(old.named)
    return theirs.get("invoice_date", theirs.get("check_in")) is not None


def _names_sale(new: str, old: str) -> bool:
    """Whether the claim named `new` names the sale or stay of the unread
    pended claim named `old` (`claimflow.dedupe.claims.repeats_pended`:
    the rule ``dedupe claims`` supersedes it by)."""
    from claimflow.dedupe.claims import repeats_pended

    if not old:
        return False
    theirs = json.loads(old)
    return repeats_pended(json.loads(new), theirs, theirs["kind"])


def only_fixes(
    fixed: dict[int, set[tuple[str, str]]], repeating: AbstractSet[int]
) -> list[tuple[str, str]]:
    """The unread pended claims resubmitted (`unread_fixed`): (claim id, where
    its correction stands), of corrections that repeat no other claim (a
    duplicate corrects nothing; the pended claim is still asked). Each key
    names one unread pended claim (a later unread row of the key is that
    claim's duplicate), so a correction of several lines may resubmit one
    pended claim per line, as ``dedupe claims`` supersedes each."""
    taken: dict[str, str] = {}
    for claim in sorted(fixed):
        if claim not in repeating:
            for old, where in sorted(fixed[claim]):
                taken.setdefault(old, where)
    return sorted(taken.items())
