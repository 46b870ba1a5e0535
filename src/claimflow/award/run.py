"""Award runs over the store: stream accepted claims, compute, post once, explain."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from claimflow import shown
from claimflow.award.caps import CapState, LineSum, Spent, charge
from claimflow.award.engine import award_one
from claimflow.award.ledger import post_awards
from claimflow.award.rules import AwardSettings, Expiry
from claimflow.award.sets import (
    LeanAward,
    LeanClaim,
    SetPlan,
    compute_lean,
    lean_claim,
    plan_for,
)
from claimflow.codes import ReasonCode
from claimflow.config import ResolvedClient
from claimflow.errors import ConfigError
from claimflow.models import (
    Award,
    Claim,
    Participant,
    Problem,
    Provenance,
)
from claimflow.store import Store
from claimflow.store.awards import (
    LeanRow,
    awarded_claim_count,
    claims_by_id,
    latest_award_data,
    pending_award_rows,
    unverified_claim_count,
)
from claimflow.validate.notices import (
    AwardNoticeItem,
    Notice,
    render_award_notices,
)
from claimflow.window import desk_day

CHUNK = 20_000
SHOWN = 200


@dataclass
class AwardRunResult:
    """What an award run computed and posted.

    Attributes:
        client: the client key.
        preview: True when nothing was posted.
        computed: awards computed.
        points: points of the computed awards.
        posted: postings made (0 in preview).
        skipped: awards computed in this run that another run posted
            meanwhile (the ledger holds each once).
        already_awarded: claims with a live award posting from an earlier
            run when this one began: not computed again.
        by_version: awards per rule-set version.
        problems: claims that could not be awarded (first few hundred).
        awards: the first awards computed, for display.
        partial: awards a cap cut, for the notices that explain them.
        earned_nothing: awards computed at 0 points (first few hundred):
            (the claim as people know it, the reason codes of its lines:
            ``not_enrolled``, ``below_minimum``...). They are posted (the
            claim is settled at 0), so a clerk must see them: a member
            enrolled late is a member-list correction, then ``ledger
            reverse --correction`` and an award run.
        awaiting_verification: accepted claims not paid that wait for
            `verify` (verification required): not computed by this run.
        names: the claims of `problems` as people know them (their
            reference and where they came from, `Store.claim_names`), by
            claim id: ``CA-902 (usd.csv:row 2)``, not ``usd.csv:row 2``.
    """

    client: str
    preview: bool
    computed: int = 0
    points: int = 0
    posted: int = 0
    skipped: int = 0
    already_awarded: int = 0
    by_version: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    partial: list[tuple[Claim, Award]] = field(default_factory=list)
    earned_nothing: list[tuple[str, list[str]]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    awaiting_verification: int = 0

    def problem_line(self, problem: Problem) -> str:
        """A problem as the summary lists it, by its claim as people know it
        (``CA-902 (usd.csv:row 2): expected a USD->EUR rate ...``); by its
        place when the store names no such claim."""
        name = self.names.get(problem.record_id)
        return f"{name}: {problem.message}" if name else problem.render()

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return {
            "client": self.client,
            "preview": self.preview,
            "computed": self.computed,
            "points": self.points,
            "posted": self.posted,
            "skipped": self.skipped,
            "already_awarded": self.already_awarded,
            "awaiting_verification": self.awaiting_verification,
            "by_version": dict(self.by_version),
            "problems": [
                p.model_dump(mode="json") | {"claim": self.names.get(p.record_id)}
                for p in self.problems
            ],
            "awards": [a.model_dump(mode="json") for a in self.awards],
            "earned_nothing": [
                {"claim": claim, "codes": codes} for claim, codes in self.earned_nothing
            ],
        }


def settings_of(client: ResolvedClient) -> AwardSettings:
    """The client's award settings, or a ConfigError naming the file."""
    if client.config.award is None:
        raise ConfigError(
            f"{client.source_path}: award: no award section; "
            "this client's claims cannot be awarded yet"
        )
    return client.config.award


def expiry_of(client: ResolvedClient) -> Expiry | None:
    """The client's expiry policy, or None without an award section: what
    `balance` and `redeem` need to count points expiry would take."""
    return client.config.award.expiry if client.config.award is not None else None


def load_participants(store: Store, client: str) -> dict[str, Participant]:
    """Every participant of a client, by id, with the dated facts (tier,
    status, enrolment) the engine reads on each claim's activity date.

    Example: ``load_participants(store, "acme-tools")["104233"].on(day).tier``
    """
    return store.participants(client)


def known_then(
    people: dict[str, Participant], moment: datetime
) -> dict[str, Participant]:
    """The member list as the store knew it at `moment`: each participant's
    facts recorded by then, and no participant not yet recorded.

    An award run posting at an instant and its replay both read this view,
    so a back-dated run (``award --at``) pays what its replay finds.

    Example: ``known_then(load_participants(store, "acme-tools"), now)``
    """
    known = ((pid, p.known_at(moment)) for pid, p in people.items())
    return {pid: p for pid, p in known if p is not None}


def _cap_state(store: Store, client: str, settings: AwardSettings) -> CapState:
    """What the live awards (posted, not reversed) count against the caps.

    Awards are summed per participant, activity date and version (and their
    lines per rule) in the store; each sum is counted as one award would
    be, which gives the same totals since every counter adds points or units.
    """
    needs_lines = any(
        rs.caps.promotions is not None
        or any(
            getattr(r, "fund", None) is not None
            or getattr(r, "count", None) == "participant"
            for r in rs.rules
        )
        for rs in settings.rule_sets
    )
    used: dict[tuple[str, str], int] = {}
    counts: Counter[str] = Counter()
    budget = 0
    for participant, day, _, points, lines in store.live_award_totals(
        client, lines=needs_lines
    ):
        spent = Spent(
            participant,
            date.fromisoformat(day),
            points,
            tuple(
                LineSum(rule, kind, line_points, _decimal(basis))
                for rule, kind, line_points, basis in lines
            ),
        )
        budget += charge(used, counts, spent, settings)
    return CapState(used, budget, counts)


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _pending(
    store: Store, client: ResolvedClient, settings: AwardSettings, batch_id: int | None
) -> Iterator[list[LeanRow]]:
    """Accepted claims without a live award posting, in award order, chunked,
    read lean (`claimflow.store.awards.pending_award_rows`).

    A received time orders by its day at the desk, as the engine takes it
    (`claimflow.window.desk_day`), not by the day in the offset it was keyed in.
    """
    zone = settings.zone
    return pending_award_rows(
        store,
        client.key,
        batch_id=batch_id,
        verified_only=client.config.verification.required,
        activity_field=(
            None if settings.activity_date == "received_at" else settings.activity_date
        ),
        desk_day=lambda text: desk_day(datetime.fromisoformat(text), zone).isoformat(),
        chunk=CHUNK,
    )


class _Run:
    """One award run's claims, computed in award order against shared caps:
    lean (`claimflow.award.sets`) where the rule set allows, by the engine
    otherwise, so both count against the same period, budget and counters."""

    def __init__(
        self,
        store: Store,
        client: str,
        settings: AwardSettings,
        state: CapState,
        now: datetime,
    ) -> None:
        self.store, self.client, self.settings = store, client, settings
        self.now = now
        self.used = dict(state.period_used)
        self.counts = Counter(state.counts)
        self.budget = state.budget_used
        self.problems: list[Problem] = []
        self._participants: dict[str, Participant] | None = None
        self._everyone: dict[str, Participant] = {}

    def claims(self, ids: list[str]) -> dict[str, Claim]:
        """Whole claims by id."""
        return claims_by_id(self.store, ids)

    def chunk(
        self, rows: list[LeanRow]
    ) -> tuple[list[LeanAward], list[tuple[Award, Problem]]]:
        """Awards (and awards held) of one chunk of claims, in award order."""
        planned = [self._lean(row) for row in rows]
        full = self.claims(
            [row[0] for row, lean in zip(rows, planned, strict=True) if not lean]
        )
        awards: list[LeanAward] = []
        held: list[tuple[Award, Problem]] = []
        for row, lean in zip(rows, planned, strict=True):
            if lean:
                try:
                    award, self.budget = compute_lean(
                        lean[0], lean[1], self.used, self.budget
                    )
                except (ValueError, TypeError, ArithmeticError):
                    pass  # lines in another form: the engine reads the claim
                else:
                    awards.append(award)
                    continue
            if row[0] not in full:
                full.update(self.claims([row[0]]))
            engine, problem = self._engine(full[row[0]])
            if problem is not None:
                self.problems.append(problem)
                if engine is None:
                    continue
                held.append((engine, problem))  # owed: its points stay reserved
            else:
                assert engine is not None
                awards.append(LeanAward.of(engine))
            self.budget += charge(self.used, self.counts, engine, self.settings)
        return awards, held

    def _lean(self, row: LeanRow) -> tuple[LeanClaim, SetPlan] | None:
        claim = lean_claim(row, self.client, self.settings)
        if claim is None or claim.activity is None:
            return None
        rules = self.settings.rule_set_for(claim.activity)
        plan = plan_for(rules, self.settings) if rules is not None else None
        return None if plan is None else (claim, plan)

    def _engine(self, claim: Claim) -> tuple[Award | None, Problem | None]:
        if self._participants is None:
            self._everyone = load_participants(self.store, self.client)
            self._participants = known_then(self._everyone, self.now)
        who = claim.participant_id or ""
        if who in self._everyone and who not in self._participants:
            # Recorded after this (back-dated) run's instant: the run would
            # pay 0 as "not enrolled" and close the claim. Left for a run
            # that knows the member, as its replay would find.
            first = self._everyone[who].history[0].recorded_at
            zone = self.settings.zone  # both at the desk: 2026-12-03 21:55 CST
            return None, Problem(
                source=claim.provenance,
                code=ReasonCode.NOT_ENROLLED,
                message=(
                    f"participant {who}: expected on the member list recorded by "
                    f"{shown.desk_time(self.now, zone)} (the run's instant), found first "
                    f"recorded at {shown.desk_time(first, zone) if first else '?'}; award "
                    "at that instant or later"
                ),
                record_id=claim.id,
            )
        return award_one(
            claim,
            self.settings,
            self._participants.get(who),
            CapState(self.used, self.budget, self.counts),
        )


def award_claims(
    store: Store,
    client: ResolvedClient,
    *,
    batch_id: int | None = None,
    preview: bool = False,
    actor: str = "unknown",
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> AwardRunResult:
    """Compute (and unless `preview`, post) the awards of accepted claims.

    Args:
        store: the store.
        client: the resolved client (must have an ``award`` section).
        batch_id: only claims of this batch.
        preview: compute and report, post nothing.
        actor: who runs it (ledger and audit log).
        now: the posting instant (timezone-aware).
        progress: called with the number of claims done after each chunk.

    Returns:
        The run's result.

    Example: ``award_claims(store, client, now=datetime.now(UTC)).points``
    """
    settings = settings_of(client)
    result = AwardRunResult(client.key, preview)
    try:
        with store.transaction():
            _award_in(store, client, settings, result, batch_id, actor, now, progress)
    except _PreviewDone:
        pass  # a preview routed claims keyed under merged numbers: undone
    return result


class _PreviewDone(Exception):
    """Rolls back what a preview wrote (the claims it routed) once computed."""


def _award_in(
    store: Store,
    client: ResolvedClient,
    settings: AwardSettings,
    result: AwardRunResult,
    batch_id: int | None,
    actor: str,
    now: datetime,
    progress: Callable[[int], None] | None,
) -> None:
    """`award_claims` inside its transaction (see there)."""
    from claimflow.accounts.merged_claims import route_merged_claims

    preview = result.preview
    routed = route_merged_claims(store, client, actor, now)
    result.problems.extend(
        Problem(
            source=Provenance(file=f"merge #{r.merge_id}", field="participant_id"),
            code=ReasonCode.MERGED_PARTICIPANT,
            message=r.message,
            record_id=r.claim_id,
        )
        for r in routed[:SHOWN]
        if r.action == "pended"
    )
    result.already_awarded = awarded_claim_count(store, client.key, batch_id)
    if client.config.verification.required:
        result.awaiting_verification = unverified_claim_count(store, client.key, batch_id)
    state = _cap_state(store, client.key, settings)
    run = _Run(store, client.key, settings, state, now)
    done = 0
    for rows in _pending(store, client, settings, batch_id):
        awards, held = run.chunk(rows)
        result.computed += len(awards)
        result.points += sum(a.points for a in awards)
        result.by_version.update(a.version for a in awards)
        result.problems.extend(run.problems[: SHOWN - len(result.problems)])
        run.problems.clear()
        result.awards.extend(a.award() for a in awards[: SHOWN - len(result.awards)])
        nothing = [a for a in awards if a.points == 0][: SHOWN - len(result.earned_nothing)]
        if nothing:
            names = store.claim_names([a.claim_id for a in nothing])
            result.earned_nothing.extend(
                (
                    names.get(a.claim_id, a.claim_id),
                    sorted({ln.code.value for ln in a.award().lines if ln.code}),
                )
                for a in nothing
            )
        partial = [a for a in awards if a.points < a.desired_points]
        if partial:
            claims = run.claims([a.claim_id for a in partial])
            result.partial.extend((claims[a.claim_id], a.award()) for a in partial)
        if not preview:
            store.add_holds(held, now, actor)
            posted = post_awards(store, awards, settings, now, actor)
            store.add_events(
                [
                    (a.client, a.claim_id, None, "decided", now.isoformat(), actor)
                    for a in awards
                ]
            )
            result.posted += posted.posted
            result.skipped += posted.skipped
        done += len(rows)
        if progress is not None:
            progress(done)
    result.names = store.claim_names(
        list(dict.fromkeys(p.record_id for p in result.problems))
    )
    if not preview:
        store.audit(
            actor,
            "award",
            {
                "client": client.key,
                "batch": batch_id,
                **result.to_dict() | {"awards": [], "problems": []},
            },
        )
    elif routed:
        raise _PreviewDone


def partial_award_notices(
    result: AwardRunResult, client: ResolvedClient, today: date
) -> list[Notice]:
    """Notices telling participants that a claim was accepted and paid N of
    its M points, and which limits (caps) cut the rest, in words.

    Example: ``partial_award_notices(result, client, date.today())``
    """
    items = [AwardNoticeItem.of(claim, award) for claim, award in result.partial]
    return render_award_notices(items, client, today)


def explain(award: Award, locale: str = "en_US", name: str | None = None) -> str:
    """An award as a person reads it aloud on the phone.

    Args:
        award: the award.
        locale: the client's locale: points are written as it writes them.
        name: the claim as people know it (`claimflow.shown.claim_name`);
            its id when not given.

    Example: ``print(explain(award, "de_DE", "KW-1002 (okt.csv:row 4)"))``
    """

    def pts(value: int) -> str:
        return f"{shown.format_points(value, locale)} {shown.points_word(value)}"

    lines = [
        f"Claim {name or award.claim_id}: {pts(award.points)} under rules "
        f"{award.version} (activity {award.activity_date}, {award.currency})."
    ]
    if award.day_note:
        lines.append(f"  Dates: {award.day_note}.")
    for n, line in enumerate(award.lines, start=1):
        extra = f" [{line.conversion}]" if line.conversion else ""
        code = f" ({line.code.value})" if line.code else ""
        lines.append(
            f"  {n}. {line.rule_id}: {line.note}{extra} -> "
            f"{shown.signed_points(line.points, locale)} "
            f"{shown.points_word(line.points)}{code}"
        )
    if award.desired_points != award.points:
        lines.append(
            f"  Desired {shown.format_points(award.desired_points, locale)}, awarded "
            f"{shown.format_points(award.points, locale)} "
            "after caps."
        )
    lines.append(f"  Total: {pts(award.points)}.")
    return "\n".join(lines)


def stored_award(store: Store, claim_id: str) -> Award | None:
    """The most recent award computed for a claim, if any."""
    data = latest_award_data(store, claim_id)
    return None if data is None else Award.model_validate_json(data)
