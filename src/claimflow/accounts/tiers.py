"""A merge's tier history: the survivor holds both accounts' tiers.

Tiers are dated facts of the member list (``participant_facts``, read by
`Participant.on`); awards read the tier held on a claim's activity date
(``tier_bonus`` rules). The program has no tier qualification of its own
(no qualifying activity is counted into a tier: the member list states
it), so a merge combines the two histories as stated, by the client's
``accounts.tier_on_merge``:

- ``higher`` (the default): on each day the survivor holds the higher of
  its own tier and the merged account's, ranked by ``accounts.tiers``
  (lowest first); a tier beats none. A tier is one of the list's in any
  case, as the client's language writes capitals (``ALTIN`` is ``altın``
  in Turkish: `claimflow.words.match_word`). Two different tiers that the
  list does not rank refuse the merge (a person settles it). The survivor gets one
  appended fact from each day where its tier changes (source ``merge #N``),
  recorded at the merge: award runs before it, and their replay, still see
  the history they saw.
- ``survivor``: nothing changes.

`restore_tiers` undoes it exactly: for each day the merge wrote, it appends
the fact the survivor held without the merge's facts, so its tier on every
day is what it was; it refuses when the survivor's record changed since
(a member list recorded after the merge), since that would not be exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from claimflow.accounts.merge import AccountError
from claimflow.models import Participant, ParticipantFacts
from claimflow.shown import PLAIN_DESK, Desk
from claimflow.store import Store
from claimflow.store.accounts import add_participant_facts
from claimflow.words import match_word


def _higher(
    pair: tuple[str | None, str | None],
    order: Sequence[str],
    who: tuple[str, str],
    day: date,
    locale: str | None = None,
) -> str | None:
    """The higher of `pair` (as written), ranked by `order` in any case."""
    mine, theirs = pair
    if mine == theirs or theirs is None:
        return mine
    if mine is None:
        return theirs
    # a member list keeps a tier as written (trial 34: ALTIN for altın)
    mine_is = match_word(mine, order, locale)
    theirs_is = match_word(theirs, order, locale)
    if mine_is is not None and theirs_is is not None:
        rank = list(order).index
        return mine if rank(mine_is) >= rank(theirs_is) else theirs
    when = "from the start" if day == date.min else f"on {day.isoformat()}"
    raise AccountError(
        f"participants {who[0]} and {who[1]}: tiers {mine} and {theirs} {when}, "
        "not both in accounts.tiers (lowest first) to rank them; list the tiers, "
        "or set accounts.tier_on_merge: survivor"
    )


def _with(person: Participant, facts: Sequence[ParticipantFacts]) -> Participant:
    """`person` with `facts` recorded after its own (a day's later fact wins);
    `model_copy` skips the validator that keeps a history in day order."""
    history = sorted((*person.history, *facts), key=lambda f: f.effective_from)
    return person.model_copy(update={"history": tuple(history)})


def _days(*people: Participant) -> list[date]:
    return sorted({f.effective_from for p in people for f in p.history} or {date.min})


def merge_tiers(
    store: Store,
    client: str,
    people: tuple[Participant, Participant],
    policy: tuple[str, Sequence[str]],
    label: str,
    when: tuple[datetime, str],
    locale: str | None = None,
) -> list[date]:
    """Append the survivor's combined tier facts; return the days written.

    Args:
        store: the store (inside the merge's transaction).
        client: the client key.
        people: (survivor, merged), with their histories.
        policy: (``higher`` or ``survivor``, the tiers lowest first).
        label: the facts' source (``merge #3``).
        when: (the merge's instant, who merges).
        locale: the client's locale, whose capitals the tiers are compared
            in (`claimflow.words.match_word`).

    Raises:
        AccountError: two tiers the list does not rank (nothing written).

    Example: ``merge_tiers(store, "x", (s, m), ("higher", ["silver", "gold"]),
    "merge #1", (now, "ann"))``
    """
    survivor, merged = people
    rule, order = policy
    if rule != "higher":
        return []
    added: list[ParticipantFacts] = []
    for day in _days(survivor, merged):
        held = _with(survivor, added).on(day)
        pair = (survivor.on(day).tier, merged.on(day).tier)
        tier = _higher(pair, order, (survivor.id, merged.id), day, locale)
        if tier != held.tier:
            added.append(
                held.model_copy(
                    update={
                        "effective_from": day,
                        "tier": tier,
                        "source": label,
                        "recorded_at": when[0],
                    }
                )
            )
    add_participant_facts(
        store, client, survivor.id, added, when[0].isoformat(), when[1]
    )
    return [f.effective_from for f in added]


def restore_tiers(
    store: Store,
    client: str,
    survivor: Participant,
    merge: tuple[str, str],
    days: Sequence[date],
    when: tuple[datetime, str],
    desk: Desk = PLAIN_DESK,
) -> None:
    """Give the survivor back the tiers it held before a merge.

    Args:
        store: the store (inside the unmerge's transaction).
        client: the client key.
        survivor: the survivor, with its history.
        merge: (the merge's facts' source, this unmerge's label).
        days: the days the merge wrote.
        when: (the merge's instant, who unmerges) - the facts are recorded
            at the unmerge's instant, `when[0]`.
        desk: the client's desk, whose zone a refusal writes times in.

    Raises:
        AccountError: the survivor's record changed after the merge.

    Example: ``restore_tiers(store, "x", s, ("merge #1", "unmerge #2"), days,
    (now, "ann"))``
    """
    if not days:
        return
    source, label = merge
    merged_at = min(
        (
            f.recorded_at
            for f in survivor.history
            if f.source == source and f.recorded_at
        ),
        default=None,
    )
    later = [
        f
        for f in survivor.history
        if f.source != source
        and f.recorded_at is not None
        and merged_at is not None
        and f.recorded_at > merged_at
    ]
    if later:
        raise AccountError(
            f"{source}: {survivor.id}'s member record changed since (a fact from "
            f"{later[0].effective_from.isoformat()} recorded at "
            f"{desk.time(later[0].recorded_at)}); "
            "an unmerge would not restore its tiers exactly"
        )
    before = _with(
        survivor.model_copy(update={"history": ()}),
        [f for f in survivor.history if f.source != source],
    )
    facts = [
        before.on(day).model_copy(
            update={"effective_from": day, "source": label, "recorded_at": when[0]}
        )
        for day in days
    ]
    add_participant_facts(
        store, client, survivor.id, facts, when[0].isoformat(), when[1]
    )
