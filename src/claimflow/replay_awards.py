"""Replayed awards, with caps met in the order the live award runs met them.

Contract: `awards_as_posted(store, client, settings, participants, decided)`
takes the replay's decided claims (claim id -> the outcome recorded and the
claim when the replay accepts it) and returns the replayed award of each
accepted claim; it reads the store's award history and never writes.

A claim is computed for the participant its award was posted (or held)
for, as recorded: after a merge, the award runs credit the survivor with
the claims keyed under the merged number (at the survivor's tier and
caps), while the runs before it paid the keyed account; an unmerge
changes neither what was paid nor, so, its replay.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from operator import itemgetter

from claimflow.award.caps import CapState
from claimflow.award.engine import award_order, compute_awards_and_holds
from claimflow.award.rules import AwardSettings
from claimflow.award.run import known_then
from claimflow.codes import VOID
from claimflow.models import Award, Claim, Participant
from claimflow.store import Store
from claimflow.store.accounts import merge_participants

#: A claim in a run: its award order, the claim, its recorded award (a
#: claim outside this replay) or None (computed).
_InRun = tuple[tuple[date, str, str], Claim, Award | None]


class _AsPosted:
    """Replayed awards with caps met in the order the live award runs met them.

    The ledger's award postings and reversals, and the awards runs held, are
    followed in the order they were made: each posting of a replayed claim
    computes its award against the caps used so far; a reversal gives its
    points back to the caps (a voided award counted until then, as it did
    live); a posting of a claim outside this replay (another batch, an
    earlier day) counts as recorded, in its place in its run. A held claim
    reserves its points for the run that held it, as it did live, and gives
    them back after. Postings and holds of one time are one run, computed
    in award order. A run records its holds before its postings, each in
    award order, so a new run starts where the time changes, a hold follows
    a posting, the award order of the postings (or of the holds) goes back,
    or a claim comes again.
    """

    def __init__(self, settings: AwardSettings, people: dict[str, Participant]) -> None:
        self.settings, self.people = settings, people
        self.caps = CapState()
        self.awards: dict[str, Award] = {}
        # Each claim's award order is worked out once, when it joins its run.
        self.run: list[_InRun] = []
        self.ids: set[str] = set()  # the run's claims
        self.held: set[str] = set()
        self.last: dict[bool, tuple[date, str, str]] = {}  # held? -> award order
        self.at: str | None = None

    def people_then(self) -> dict[str, Participant]:
        """The member list as the run being computed knew it."""
        if self.at is None:
            return self.people
        return known_then(self.people, datetime.fromisoformat(self.at))

    def flush(self) -> None:
        """Compute the run gathered so far, in award order."""
        if not self.run:
            self.last, self.at = {}, None
            return
        people = self.people_then()
        items = sorted(self.run, key=itemgetter(0))
        computed: list[Award] = []
        start = 0
        while start < len(items):
            recorded = items[start][2]
            if recorded is not None:  # outside this replay: as recorded
                self.caps = self.caps.charged(recorded, self.settings)
                start += 1
                continue
            end = start
            while end < len(items) and items[end][2] is None:
                end += 1
            awards, _, self.caps, held = compute_awards_and_holds(
                [claim for _, claim, _ in items[start:end]],
                self.settings,
                people,
                self.caps,
            )
            computed += [*awards, *(a for a, _ in held)]
            self.awards.update(
                (a.claim_id, a) for a in awards if a.claim_id not in self.held
            )
            start = end
        for award in computed:
            if award.claim_id in self.held:  # not paid in that run: give back
                self.caps = self.caps.charged(award, self.settings, -1)
        self.run.clear()
        self.ids.clear()
        self.held.clear()
        self.last, self.at = {}, None

    def pay(
        self, claim: Claim, at: str, held: bool = False, recorded: Award | None = None
    ) -> None:
        """A posting (or a hold) of a claim: it joins its run."""
        key = award_order(claim, self.settings)
        if (
            # Instants, not text: postings are written in UTC, holds with
            # the run's offset (and postings of earlier releases too).
            (
                self.at is not None
                and datetime.fromisoformat(at) != datetime.fromisoformat(self.at)
            )
            or (held and False in self.last)
            or (held in self.last and key < self.last[held])
            or claim.id in self.ids
        ):
            self.flush()
        self.run.append((key, claim, recorded))
        self.ids.add(claim.id)
        if held:
            self.held.add(claim.id)
        self.last[held], self.at = key, at

    def count(self, award: Award, sign: int) -> None:
        """Count an award against the caps (``sign=-1``: give it back)."""
        self.flush()
        self.caps = self.caps.charged(award, self.settings, sign)


def awards_as_posted(
    store: Store,
    client: str,
    settings: AwardSettings,
    participants: dict[str, Participant],
    decided: Mapping[str, tuple[str, Claim | None]],
) -> dict[str, Award]:
    """The replayed award of each claim accepted in `decided` (see `_AsPosted`).

    Args:
        store: the store (its award history is read).
        client: the client key.
        settings: the award settings replayed under.
        participants: the client's participants with their dated facts.
        decided: each replayed claim's id -> (its recorded outcome, the claim
            when the replay accepts it, else None), in ingestion order.

    Returns:
        Claim id -> replayed award. Claims no run has paid yet come last, as
        the next award run would take them.

    Example: ``awards_as_posted(store, "acme-tools", settings, people, decided)``
    """
    state = _AsPosted(settings, participants)
    merged = merge_participants(store, client)
    paid: set[str] = set()
    outside: dict[str, Award] = {}  # recorded awards of claims not replayed here
    history = list(store.award_history(client))
    # Claims outside this replay take their places in the runs as stored.
    others = _stored_claims(store, {cid for _, cid, _, _ in history} - set(decided))
    for kind, cid, data, at in history:
        entry = decided.get(cid)
        if kind == "reversal":
            paid.discard(cid)
            state.flush()
            award = (state.awards if entry else outside).pop(cid, None)
            if award is not None:
                state.count(award, -1)
        elif entry is None:
            if cid not in others:
                continue
            if kind == "hold":  # it reserved its points in that run
                state.pay(_posted_for(others[cid], data, merged), at, held=True)
            elif data is not None:
                outside[cid] = Award.model_validate_json(data)
                state.pay(others[cid], at, recorded=outside[cid])
        elif entry[1] is not None:  # accepted in the replay: paid (or held) again
            state.pay(_posted_for(entry[1], data, merged), at, held=kind == "hold")
            if kind == "award":
                paid.add(cid)
    state.flush()
    state.run = [
        (award_order(claim, settings), claim, None)
        for cid, (outcome, claim) in decided.items()
        if claim is not None and cid not in paid and outcome != VOID
    ]
    state.flush()
    return state.awards


def _posted_for(claim: Claim, data: str | None, merged: set[str]) -> Claim:
    """The claim as a run paid (or held) it: for the participant its recorded
    award names, when the claim's participant took part in a merge (a claim
    keyed under the merged number and credited to the survivor, or filed
    under the survivor by a merge after the keyed account was paid).

    Example: ``_posted_for(claim, '{"participant_id": "104233", ...}', {"104876"})``
    """
    if data is None or claim.participant_id not in merged:
        return claim
    posted = json.loads(data).get("participant_id")
    if not posted or posted == claim.participant_id:
        return claim
    return claim.model_copy(update={"participant_id": str(posted)})


def _stored_claims(store: Store, ids: set[str]) -> dict[str, Claim]:
    """Stored claims by id, typed as stored."""
    found: dict[str, Claim] = {}
    listed = sorted(ids)
    for part in (listed[i : i + 900] for i in range(0, len(listed), 900)):
        for claims in store.claims(
            f"WHERE c.id IN ({','.join('?' * len(part))})", part
        ):
            found.update((c.id, c) for c in claims)
    return found
