"""What claim matching works with: a match (`ClaimMatch`), a candidate pair
that passed its rule, each claim's facts as read from the store, and the
keying slips a key tolerates. `claimflow.dedupe.matching` finds them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from claimflow.codes import ReasonCode
from claimflow.dedupe.settings import ClaimWindows
from claimflow.keys import normalize_key

DEFAULT_WINDOWS = ClaimWindows()


@dataclass(frozen=True)
class ClaimMatch:
    """A claim that repeats an earlier one, and why.

    Attributes:
        claim_id: the later claim.
        original: the earlier claim it matched.
        rule: the rule that fired, in words.
        code: the reason code (duplicate or review category).
        score: 1.0 for certain, lower for a look-alike.
        decision: ``duplicate`` or ``review``.
        compared: what was compared (this claim's value vs the original's).
        source: where the later claim came from (file, page or row).
        duplicate_of: the earliest claim of its cluster (for a duplicate that
            matched another duplicate, the claim they both repeat).
        field: the claim's field that repeats (for the participant's notice).
        value: that field's value on this claim.
        received_after: the original was received after this claim (it is
            the original for being settled: paid, or void).
    """

    claim_id: str
    original: str
    rule: str
    code: ReasonCode
    score: float
    decision: str
    compared: str
    source: str = ""
    duplicate_of: str = ""
    field: str | None = None
    value: str = ""
    received_after: bool = False

    def to_dict(self) -> dict[str, object]:
        """As plain data."""
        return {**self.__dict__, "code": self.code.value}


def allowed_slips(key: str, windows: ClaimWindows = DEFAULT_WINDOWS) -> int:
    """Keying slips tolerated: by default one on short keys (8 characters or
    fewer, as `key_length` counts them), else two.

    Two slips on a short number match too many honest neighbours
    (INV-77150 against INV-77133).
    """
    short = key_length(key) <= windows.short_key
    return windows.slips_short if short else windows.slips_long


#: What separates the parts of a keyed number (as `normalize_key` drops them).
_PARTS = re.compile(r"[\s\-_./#]+")


def key_length(keyed: str) -> int:
    """A keyed invoice or confirmation number's length, less the zeros that
    pad each of its numbers: ``0004-00000300`` (an Argentine invoice: point
    of sale 4, number 300) is as short as ``4-300`` (4), not the 9 of its
    fold ``400000300``, whose zeros carry no keying to slip on. A key
    without a number padded after another is its fold's length.

    Example: ``key_length("0004-00000300") == 4``, ``key_length("INV-20417") == 8``
    """
    return sum(len(normalize_key(part)) for part in _PARTS.split(keyed) if part)


# Rule kinds, in the order a claim's matches are listed. LINE: the same
# invoice line (dealer, invoice, SKU) with another quantity.
SERIAL, INVOICE, LINE, REP, STAY, MEMBER_STAY = range(6)


@dataclass(frozen=True)
class _Pair:
    """A candidate pair that passed its rule, before the earlier-claim test."""

    rule: int
    detail: str  # block, serial or dates: what was compared
    slips: int
    value: str  # the later claim's key
    other: str  # the earlier claim's key
    other_block: str = ""  # the earlier claim's block (LINE: its quantity)


@dataclass
class _Info:
    order: tuple[datetime, int]  # (received instant, rowid): earlier sort first
    participant: str | None
    source: str
    keyed: str | None  # the invoice or confirmation as keyed
    day: str | None  # invoice date or check-in
    original: bool = True  # may be another's original (`may_be_original`)
    #: the resubmission that superseded it (``claim_links``), if superseded
    superseded_by: str | None = None
    serials: set[str] = field(default_factory=set)
    #: each serial as compared -> as first keyed on the claim (what people read)
    keyed_serials: dict[str, str] = field(default_factory=dict)
    #: paid (an award posting of it stands) or void (paid, then refunded)
    settled: bool = False
    #: its received time is not its own: pended for it (the batch's time
    #: stood in for one that could not be read, or one keyed in the future)
    stand_in: bool = False
    #: the participant as keyed (`participant` is the one it is filed under
    #: now: a merge may have moved it)
    keyed_member: str | None = None

    def received_before(self, other: _Info) -> bool:
        """Whether this claim came before `other`: the earlier received, then
        the earlier stored. A received time the claim was pended for is no
        evidence of order (trial 34: the batch's time stood in at 13:22 for
        an unreadable date, and its correction, keyed as a date alone,
        read 00:00): against it, the claim stored first came first."""
        if self.stand_in or other.stand_in:
            return self.order[1] < other.order[1]
        return self.order < other.order

    def ranks_before(self, other: _Info) -> bool:
        """Whether this claim, not `other`, is the original of the two: a
        settled claim (paid, or void: paid and refunded) before one that is
        not (a form received earlier but keyed after the payment repeats
        the paid claim, whose points stand; a refunded sale's serial is not
        claimed again by a form dated before the refund), then the one that
        came first (`received_before`)."""
        if self.settled != other.settled:
            return self.settled
        return self.received_before(other)


@dataclass(frozen=True)
class MemberMerges:
    """The accounts live merges made one member, to name in a match.

    Attributes:
        members: each merged account -> every account of its member
            (`claimflow.store.accounts.merged_accounts`).
        merges: the live merges, (id, survivor, merged), in order.
    """

    members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    merges: tuple[tuple[int, str, str], ...] = ()

    def named(self, mine: _Info, theirs: _Info) -> str | None:
        """The merges that make two claims' accounts (as keyed and as filed)
        one member, in words; None when both name one account, either
        names none, or the accounts are two members.

        Example: ``merges.named(a, b) == "merge #1: 300199990 into 300120031"``
        """
        mine_, theirs_ = (
            {a for a in (info.participant, info.keyed_member) if a}
            for info in (mine, theirs)
        )
        accounts = mine_ | theirs_
        if not mine_ or not theirs_ or len(accounts) < 2:
            return None
        group = self.members.get(min(accounts), ())
        if not accounts <= set(group):
            return None
        return ", ".join(
            f"merge #{n}: {merged} into {survivor}"
            for n, survivor, merged in self.merges
            if survivor in group
        )
