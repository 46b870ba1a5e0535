"""Program members: `Participant` and the dated facts (`ParticipantFacts`) of its history.

A participant's tier, status and dates as the member lists said them from
one day on, and as the store knew them at a moment (`Participant.on`,
`Participant.known_at`). Re-exported by `claimflow.models`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import field_validator

from claimflow.cjk import narrow
from claimflow.keys import ascii_digits
from claimflow.records import Provenance, Record

ParticipantStatus = Literal["active", "suspended", "closed"]


class ParticipantFacts(Record):
    """What a participant's record said from one day on: one dated fact.

    Attributes:
        effective_from: the first day these facts hold; ``date.min`` for
            facts known since the start (a participant's first import, or
            a store's member list from before schema 24).
        tier: status tier (``gold``), if any.
        status: ``active``, ``suspended`` or ``closed``.
        enrolled_on: enrolment date.
        tax_form_on: the day a tax form (a W-9) was received, if one was.
        source: where the fact came from (``members.csv:row 4``), if known.
        recorded_at: when the store learnt it (None: known all along).
    """

    effective_from: date = date.min
    tier: str | None = None
    status: ParticipantStatus = "active"
    enrolled_on: date | None = None
    tax_form_on: date | None = None
    source: str | None = None
    recorded_at: datetime | None = None

    def same_facts(self, other: ParticipantFacts) -> bool:
        """Whether `other` says the same (tier, status and dates), wherever from."""
        return (self.tier, self.status, self.enrolled_on, self.tax_form_on) == (
            other.tier,
            other.status,
            other.enrolled_on,
            other.tax_form_on,
        )


class Participant(Record):
    """A program member.

    Attributes:
        id: member or participant number, as the program issues it (text).
        client: client program key.
        first_name, last_name: names as enrolled.
        email: contact address.
        company: dealer or employer, if any.
        tier: status tier (``gold``) on the latest member list, if any.
        enrolled_on: enrolment date.
        status: ``active``, ``suspended`` or ``closed``.
        tax_form_on: the day a tax form (a W-9) was received, if one was.
        tax_id: the member's tax id as the member list gives it, if any (an
            account merge refuses two different ones).
        effective_from: the day this record's tier, status and dates took
            effect, when the member list says (its ``effective_from``
            column); None: from the day it is imported.
        history: the dated facts the store holds, by ``effective_from``
            (ties in the order recorded); empty: the fields above hold on
            every day (see `on`).
        provenance: where the participant record came from.
    """

    id: str
    client: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    company: str | None = None
    tier: str | None = None
    enrolled_on: date | None = None
    status: ParticipantStatus = "active"
    tax_form_on: date | None = None
    tax_id: str | None = None
    effective_from: date | None = None
    history: tuple[ParticipantFacts, ...] = ()
    provenance: Provenance

    @field_validator("id")
    @classmethod
    def _id_digits(cls, value: str) -> str:
        # a member number's digits of any script, written 0-9, and its
        # full-width forms as ASCII (as a claim's participant_id is read:
        # `claimflow.values.KeyedId`)
        return ascii_digits(narrow(value))

    @field_validator("history")
    @classmethod
    def _by_day(
        cls, value: tuple[ParticipantFacts, ...]
    ) -> tuple[ParticipantFacts, ...]:
        # A stable sort: facts of one day stay in the order recorded, so
        # the later of two corrections is the one in force.
        return tuple(sorted(value, key=lambda f: f.effective_from))

    def facts(self, effective_from: date = date.min) -> ParticipantFacts:
        """This record's own tier, status and dates, as a fact from `effective_from`.

        Example: ``Participant(id="M1", client="x", tier="gold",
        provenance=src).facts().tier == "gold"``
        """
        return ParticipantFacts(
            effective_from=effective_from,
            tier=self.tier,
            status=self.status,
            enrolled_on=self.enrolled_on,
            tax_form_on=self.tax_form_on,
            source=self.provenance.where(),
        )

    def on(self, day: date) -> ParticipantFacts:
        """The facts held on `day`: the latest fact in effect by then.

        Without a history, the record's own fields hold on every day. Before
        the first dated fact the participant held no tier; its status and
        dates are the first fact's (a stay before enrolment is judged
        against the enrolment that followed it).

        Example: ``member.on(date(2026, 3, 4)).tier == "gold"``
        """
        if not self.history:
            return self.facts()
        held = None
        for fact in self.history:
            if fact.effective_from > day:
                break
            held = fact
        if held is not None:
            return held
        first = self.history[0]
        return first.model_copy(
            update={"effective_from": date.min, "tier": None, "source": None}
        )

    def known_at(self, moment: datetime) -> Participant | None:
        """The participant as the store knew them at `moment`: only facts
        recorded by then (None: not known yet). A back-dated change learnt
        later does not rewrite what an award run read then.
        """
        if not self.history:
            return self
        known = tuple(
            f for f in self.history if f.recorded_at is None or f.recorded_at <= moment
        )
        if not known:
            return None
        if len(known) == len(self.history):
            return self
        last = known[-1]
        return self.model_copy(
            update={
                "history": known,
                "tier": last.tier,
                "status": last.status,
                "enrolled_on": last.enrolled_on,
                "tax_form_on": last.tax_form_on,
            }
        )
