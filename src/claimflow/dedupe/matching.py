"""Matching new claims against stored ones: candidates, rules, explanations.

Input: the claims to check (a client's open claims, of a batch or all) and
the client's windows. Output: one `ClaimMatch` per later claim and the
earlier claim it repeats, with the rule in words, the values compared and
both sources, clustered so that every duplicate names the earliest claim of
its cluster. Reads the store (``claim_keys``, ``claim_serials``, ``claims``,
``dedupe_decisions``) through indexes, with the queries of
`claimflow.store.dedupe`; writes nothing but temporary tables.
The rules are listed in `claimflow.dedupe.claims`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from claimflow.codes import VOID, ReasonCode, may_be_original
from claimflow.dedupe.clusters import clustered
from claimflow.dedupe.decisions import different_pairs
from claimflow.dedupe.match_types import (
    DEFAULT_WINDOWS,
    INVOICE,
    LINE,
    MEMBER_STAY,
    REP,
    SERIAL,
    STAY,
    ClaimMatch,
    MemberMerges,
    _Info,
    _Pair,
    allowed_slips,
    key_length,
)
from claimflow.dedupe.settings import ClaimWindows
from claimflow.keys import normalize_key
from claimflow.shown import plural
from claimflow.validate.batch import fold_key

if TYPE_CHECKING:
    from claimflow.store import Store

def _tell_apart(
    mine: _Info, theirs: _Info, windows: ClaimWindows = DEFAULT_WINDOWS
) -> str | None:
    """What shows that two look-alike claims are different sales or stays.

    Different serial numbers on both are different units; invoice or
    confirmation numbers on both, further apart than keying slips, are
    different documents (two invoices; two reservations, say two rooms).
    """
    if mine.serials and theirs.serials and mine.serials.isdisjoint(theirs.serials):
        return "different serials"
    if mine.keyed and theirs.keyed:
        a, b = fold_key(mine.keyed), fold_key(theirs.keyed)
        slips = min(allowed_slips(mine.keyed, windows), allowed_slips(theirs.keyed, windows))
        if OSA.distance(a, b, score_cutoff=slips + 1) > slips:
            return "different documents"
    return None


def _look_alike_differs(mine: _Info, theirs: _Info) -> tuple[list[str], bool]:
    """What two claims of look-alike invoices (the same dealer, SKU and
    quantity) say differently besides the number, and whether they say the
    same: the participant and the invoice date, keyed alike on both.

    Returns:
        The disagreements (another participant, another invoice date: both
        claims have the value, and it differs), and whether both values
        agree (a value missing on either side bears nothing out).

    Example: ``_look_alike_differs(a, b) == (["another participant"], False)``
    """
    pairs = (
        ("another participant", mine.participant, theirs.participant),
        ("another invoice date", mine.day, theirs.day),
    )
    differ = [what for what, a, b in pairs if a and b and a != b]
    return differ, all(a and a == b for _, a, b in pairs)


def _sort_row(
    row: tuple[str, str, str, str | None, str, str, str | None, str],
    add: Callable[[str, str, _Pair], None],
) -> None:
    """Apply an exact rule to a candidate row."""
    probe, block, day, value, other, other_day, other_value, other_block = row
    kind = block[:2]
    if kind == "ps":
        add(
            probe,
            other,
            _Pair(REP, f"{block}|{day}", 0, value or "", other_value or ""),
        )
    elif kind == "mh":
        # Stays overlap when each starts before the other ends.
        if value and other_value and other_day < value and day < other_value:
            add(
                probe,
                other,
                _Pair(
                    MEMBER_STAY,
                    block,
                    0,
                    f"{day}..{value}",
                    f"{other_day}..{other_value}",
                ),
            )
    elif kind == "ds" and other_block != block:
        # the same invoice line with another quantity (trial 35: 1 unit of
        # a paid 2-unit line was paid again)
        add(
            probe,
            other,
            _Pair(LINE, block, 0, value or "", other_value or "", other_block),
        )
    else:  # the same invoice or confirmation
        rule = INVOICE if kind == "ds" else STAY
        add(probe, other, _Pair(rule, block, 0, value or "", other_value or ""))


def _candidate_pairs(
    store: Store, windows: ClaimWindows = DEFAULT_WINDOWS
) -> dict[tuple[str, str], list[_Pair]]:
    """Every (later?, earlier?) pair sharing a key whose rule fires, in both orders.

    Streams the joined candidate rows in chunks; look-alike keys are compared
    in one vectorised rapidfuzz call per chunk.
    """
    from claimflow.store import dedupe as queries  # (the store imports this module)

    pairs: dict[tuple[str, str], list[_Pair]] = {}

    def add(probe: str, other: str, pair: _Pair) -> None:
        pairs.setdefault((probe, other), []).append(pair)

    for probe, serial, other in queries.serial_candidates(store):
        add(probe, other, _Pair(SERIAL, serial, 0, serial, serial))
    days = windows.model_dump(include={"near_days", "invoice_days", "stay_days"})
    for row in queries.exact_candidates(store, days):
        _sort_row(row, add)
    for chunk in queries.fuzzy_candidates(store, windows.near_days, 200_000):
        probes, blocks, values, others, other_values = zip(*chunk, strict=True)
        slips = process.cpdist(values, other_values, scorer=OSA.distance, workers=-1)
        allowed = np.where(
            np.fromiter(map(len, values), int, len(values)) > windows.short_key,
            windows.slips_long,
            windows.slips_short,
        )
        for n in np.flatnonzero(slips <= allowed).tolist():
            rule = INVOICE if blocks[n][:2] == "ds" else STAY
            add(
                probes[n],
                others[n],
                _Pair(rule, blocks[n], int(slips[n]), values[n], other_values[n]),
            )
    return pairs


def _infos(store: Store, ids: set[str]) -> dict[str, _Info]:
    from claimflow.store import dedupe as queries  # (the store imports this module)

    with queries.involved(store, ids):
        info = {
            # instants, not text: "...T20:00-05:00" is after "...T00:30+00:00"
            cid: _Info(
                (datetime.fromisoformat(received), rowid),
                who,
                source,
                keyed,
                day,
                may_be_original(outcome),
                settled=bool(paid) or outcome == VOID,
                stand_in=bool(stand_in),
                keyed_member=member,
            )
            for (cid, received, rowid, who, source, keyed, day, outcome, paid, stand_in,
                 member) in queries.involved_facts(store)
        }
        for cid, serial in queries.involved_serials(store):
            info[cid].serials.add(serial)
        for cid, keyed in queries.involved_keyed_serials(store):
            info[cid].keyed_serials.setdefault(normalize_key(keyed), keyed)
        for cid, by in queries.involved_links(store):
            info[cid].superseded_by = by
        return info


def _match(
    claim: str,
    other: str,
    pair: _Pair,
    mine: _Info,
    theirs: _Info,
    windows: ClaimWindows = DEFAULT_WINDOWS,
    merged: str | None = None,
) -> ClaimMatch | None:
    """The pair's rule in words, with its reason code and decision (None: no match).

    `merged` names the merges that made the claims' two accounts one member
    (`MemberMerges.named`): a stay's rules say so.
    """
    if pair.rule == SERIAL:
        # Matched folded (DR17), quoted as each claim keyed it (DR-00000017).
        keyed = mine.keyed_serials.get(pair.detail, pair.detail)
        before = theirs.keyed_serials.get(pair.detail, pair.detail)
        return ClaimMatch(
            claim,
            other,
            "same serial number claimed again",
            ReasonCode.SERIAL_CLAIMED_BEFORE,
            1.0,
            "duplicate",
            f"serial {keyed}" + (f" vs {before}" if before != keyed else ""),
            field="serial_numbers",
            value=keyed,
        )
    if pair.rule == INVOICE:
        return _same_invoice(claim, other, pair, mine, theirs, windows)
    if pair.rule == LINE:
        return _same_line(claim, other, pair, mine, theirs)
    if pair.rule == REP:
        # Only a claim missing its invoice or serials can repeat unseen; and
        # only when nothing on both tells them apart.
        if (mine.keyed and mine.serials) or _tell_apart(mine, theirs, windows):
            return None
        _, _, sku, day = pair.detail.split("|")
        # what the claim lacks, said as it is (not "the invoice or serials"
        # of a claim that has its invoice)
        lacks = " or ".join(
            what for what, has in (("the invoice", mine.keyed), ("serial numbers", mine.serials))
            if not has
        )
        return ClaimMatch(
            claim,
            other,
            "same participant, SKU and quantity within "
            f"{windows.near_days} {plural(windows.near_days, 'day')}, "
            f"without {lacks} that would tell them apart",
            ReasonCode.POSSIBLE_DUPLICATE,
            0.8,
            "review",
            f"{pair.value} x {sku} on {day}",
            field="invoice_date",
            value=day,
        )
    hotel = pair.detail.split("|")[1]
    if pair.rule == STAY:
        return _same_stay(claim, other, pair, mine, theirs, hotel, merged)
    if _tell_apart(mine, theirs, windows):
        return None  # two reservations (their own confirmations): two rooms, say
    same = pair.value == pair.other
    member = f"same member ({merged})" if merged else "same member"
    return ClaimMatch(
        claim,
        other,
        f"{member} and hotel, " + ("same dates" if same else "overlapping dates"),
        ReasonCode.DUPLICATE_CLAIM if same else ReasonCode.OVERLAPPING_STAY,
        1.0 if same else 0.8,
        "duplicate" if same else "review",
        f"{pair.value} vs {pair.other}",
        field="check_in",
        value=pair.value,
    )


def _same_invoice(
    claim: str,
    other: str,
    pair: _Pair,
    mine: _Info,
    theirs: _Info,
    windows: ClaimWindows = DEFAULT_WINDOWS,
) -> ClaimMatch | None:
    """The same invoice and SKU of a dealer (or one a keying slip away)."""
    slips = pair.slips
    noun = f"{slips} keying slip{'s' if slips != 1 else ''}"
    sku = pair.detail.split("|")[2]
    rule = f"same invoice and SKU for the same dealer ({noun})"
    certain = slips == 0
    if slips:
        if _tell_apart(mine, theirs, windows):
            return None  # a neighbouring invoice number with other serials
        differ, agree = _look_alike_differs(mine, theirs)
        if len(differ) > 1:
            return None  # another rep's sale on another day: a neighbouring invoice
        # Invoices are numbered in sequence: one slip away is also the
        # dealer's next invoice. Only the rest of the claim agreeing
        # (the same rep, the same invoice date) makes it the same sale.
        # Long as keyed: the zeros padding 0004-00000300 are no digits to slip on.
        long = min(key_length(k or v) for k, v in ((mine.keyed, pair.value),
                                                   (theirs.keyed, pair.other)))
        certain = slips == 1 and long > windows.short_key and agree
        if differ:
            rule += f", but {differ[0]}"
    return ClaimMatch(
        claim,
        other,
        rule,
        ReasonCode.DUPLICATE_CLAIM if certain else ReasonCode.POSSIBLE_DUPLICATE,
        1.0 - 0.1 * slips,
        "duplicate" if certain else "review",
        f"invoice {mine.keyed or pair.value} vs {theirs.keyed or pair.other}, SKU {sku}",
        field="invoice_number",
        value=mine.keyed or pair.value,
    )


def _same_line(
    claim: str, other: str, pair: _Pair, mine: _Info, theirs: _Info
) -> ClaimMatch:
    """The same invoice and SKU of a dealer, with another quantity: one
    invoice line claimed twice. A person decides whether the claims split
    the line's units or one repeats the other (verification then counts
    the units of both against the invoice)."""
    _, _, sku, units = pair.detail.split("|")
    before = pair.other_block.rsplit("|", 1)[-1]
    quantities = f"quantity {units or '?'} vs {before or '?'}"
    return ClaimMatch(
        claim,
        other,
        "same invoice and SKU for the same dealer, another quantity: "
        "the line's units split between claims, or claimed again",
        ReasonCode.POSSIBLE_DUPLICATE,
        0.8,
        "review",
        f"invoice {mine.keyed or pair.value} vs {theirs.keyed or pair.other}, "
        f"SKU {sku}, {quantities}",
        field="quantity",
        value=units,
    )


def _same_stay(
    claim: str,
    other: str,
    pair: _Pair,
    mine: _Info,
    theirs: _Info,
    hotel: str,
    merged: str | None = None,
) -> ClaimMatch | None:
    """The same hotel and confirmation (or one a keying slip away); claimed
    under two accounts a merge made one member (`merged` names the merges),
    the same member's."""
    slips = pair.slips
    noun = f"{slips} keying slip{'s' if slips != 1 else ''}"
    if slips and mine.day != theirs.day:
        return None  # a look-alike confirmation of another arrival: another stay
    # A claim without a member number is no other account (trial 18:
    # the fix of one pended for it was closed as "another account").
    two_accounts = not merged and bool(
        theirs.participant and mine.participant and theirs.participant != mine.participant
    )
    if two_accounts and slips:
        # Another member's booking a slip away is a neighbouring booking
        # (hotels number them in sequence: SP7000004 and SP7000002 are
        # two guests), not the same stay: that takes the same number.
        return None
    if two_accounts:
        code = ReasonCode.CLAIMED_BY_OTHER_ACCOUNT
    else:
        code = (
            ReasonCode.DUPLICATE_CLAIM
            if slips <= 1
            else ReasonCode.POSSIBLE_DUPLICATE
        )
    rule = (
        "the same stay claimed by another account"
        if two_accounts
        else "same hotel and confirmation"
        + (f", one member by {merged}" if merged else "")
    )
    return ClaimMatch(
        claim,
        other,
        f"{rule} ({noun})",
        code,
        1.0 - 0.1 * slips,
        "review" if code is ReasonCode.POSSIBLE_DUPLICATE else "duplicate",
        f"{hotel} {mine.keyed or pair.value} vs {theirs.keyed or pair.other}",
        field="confirmation_number",
        value=mine.keyed or pair.value,
    )


@dataclass
class ClaimCandidates:
    """Every match of a run's claims with earlier ones, before clustering.

    Attributes:
        matches: each pair's matches, one per rule that fired.
        info: what was compared of each claim of the pairs.
    """

    matches: list[ClaimMatch]
    info: dict[str, _Info]

    def clustered(
        self, resubmitted: Collection[tuple[str, str]] = ()
    ) -> list[ClaimMatch]:
        """The matches as a run records them (`claimflow.dedupe.clusters`): each duplicate
        names the earliest claim of its cluster (`ClaimMatch.duplicate_of`).

        Args:
            resubmitted: (later, earlier) pairs: the later claim is the
                resubmission that supersedes the earlier one this run.

        Example: ``claim_candidates(store, "acme-tools", 3).clustered()``
        """
        return clustered(self.matches, self.info, resubmitted)


def claim_candidates(
    store: Store,
    client: str,
    batch_id: int | None,
    windows: ClaimWindows = DEFAULT_WINDOWS,
) -> ClaimCandidates:
    """Matches of the open claims (accepted or pended) of `client`, of
    `batch_id` or all, with earlier claims, before clustering.

    The selected claims go to a temporary table; their keys meet the stored
    keys through the blocking indexes in two joins (serials; blocks with
    dates), so history is never loaded whole and the cost follows the number
    of candidates, not the size of history. Pairs a reviewer marked
    different are skipped, and so are earlier-received claims that are no
    originals (duplicates, superseded claims) stored after the claim
    (`claimflow.codes.may_be_original`): such a claim may repeat this one,
    so a stay's claims never end each other's duplicates. One stored before
    the claim still matches it (it cannot be the claim's own duplicate), so
    a claim that repeats only a duplicate, or a superseded claim, is never
    paid as new.

    `windows` are the client's day windows and slip limits
    (``dedupe.claims`` in its configuration).

    Example: ``claim_candidates(store, "acme-tools", 3).matches``
    """
    from claimflow.store.accounts import live_merges, merged_accounts
    from claimflow.store.dedupe import probed  # (the store imports this module)

    merges = MemberMerges(
        merged_accounts(store, client), tuple(live_merges(store, client))
    )
    with probed(store, client, batch_id):
        pairs = _candidate_pairs(store, windows)
    different = different_pairs(store.db.conn, "claim")
    info = _infos(store, {cid for pair in pairs for cid in pair})
    matches: list[
        tuple[tuple[datetime, int], int, tuple[datetime, int], ClaimMatch]
    ] = []
    for (claim, other), found in pairs.items():
        mine, theirs = info[claim], info[other]
        if (
            not theirs.ranks_before(mine)
            # A duplicate stored after this claim may be a duplicate of it
            # (ingest keeps the first stored): never its original. One stored
            # before it is not this claim's duplicate: a match to it stands.
            or (not theirs.original and theirs.order[1] > mine.order[1])
            or tuple(sorted((claim, other))) in different
        ):
            continue
        seen: set[tuple[int, str]] = set()
        merged = merges.named(mine, theirs)
        for pair in sorted(found, key=lambda p: (p.rule, p.slips)):
            if (pair.rule, _seen_as(pair)) in seen:
                continue  # the exact and look-alike blocks both found it
            seen.add((pair.rule, _seen_as(pair)))
            if pair.rule == INVOICE and not pair.slips:
                # the same line with the same quantity: no other-quantity match
                seen.add((LINE, pair.detail.rsplit("|", 1)[0]))
            match = _match(claim, other, pair, mine, theirs, windows, merged)
            if match is not None:
                match = _as_ranked(match, mine, theirs)
                matches.append((mine.order, pair.rule, theirs.order, match))
    matches.sort(key=lambda m: m[:3])
    # A serial is reported once, against its first earlier claim.
    first_serial: set[tuple[str, str]] = set()
    kept: list[ClaimMatch] = []
    for _, rule, _, match in matches:
        if rule == SERIAL:
            if (match.claim_id, match.compared) in first_serial:
                continue
            first_serial.add((match.claim_id, match.compared))
        kept.append(match)
    return ClaimCandidates(kept, info)


def find_claim_matches(
    store: Store,
    client: str,
    batch_id: int | None,
    windows: ClaimWindows = DEFAULT_WINDOWS,
) -> list[ClaimMatch]:
    """`claim_candidates` clustered, with no claim superseded by this run:
    duplicates are clustered transitively with the earliest claim as the
    original of all.

    Example: ``find_claim_matches(store, "acme-tools", 3)``
    """
    return claim_candidates(store, client, batch_id, windows).clustered()


def _seen_as(pair: _Pair) -> str:
    """What one match of a pair of claims stands for: its block (a stay's
    hotel, whatever the block; an invoice line of another quantity, its
    dealer and SKU)."""
    if pair.rule == STAY:
        return ""
    if pair.rule == LINE:
        return pair.detail.rsplit("|", 1)[0]
    return pair.detail


def _as_ranked(match: ClaimMatch, mine: _Info, theirs: _Info) -> ClaimMatch:
    """A match as the claims' ranks (`_Info.ranks_before`) make it: two settled claims
    go to a person (dedupe does not close a claim whose points stand); an
    original received after the claim says so (`ClaimMatch.received_after`)."""
    if mine.settled and match.decision == "duplicate":
        match = replace(
            match,
            decision="review",
            rule=f"{match.rule}; both claims are paid: reverse one award (ledger reverse)",
        )
    if mine.received_before(theirs):
        match = replace(match, received_after=True)
    return match
