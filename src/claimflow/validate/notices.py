"""Notices to participants: one per participant per run, in the client's language.

A deficiency notice lists, claim by claim and field by field, what the
participant must send back (pended claims) or why a claim cannot earn
(rejected and duplicate claims). A partial-award notice tells, claim by
claim, how many of its points were paid and which limits cut the rest.
Text comes from Jinja2 templates and a phrase file per language
(``notice.<lang>.j2``, ``award.<lang>.j2`` and ``phrases.<lang>.yaml``); a
client may ship its own in ``notices.template_dir``. A phrase may be worded
per program kind (``{sales: ..., stay: ...}``). Dates, amounts and points
are formatted for the client's locale by Babel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from claimflow.codes import Outcome
from claimflow.config import ResolvedClient
from claimflow.errors import ConfigError
from claimflow.models import Award, Claim, Decision, SalesClaim
from claimflow.money import ZERO

BUNDLED = Path(__file__).parent / "templates"
_DATE_FORMAT = {"DMY": "DD/MM/YYYY", "MDY": "MM/DD/YYYY", "YMD": "YYYY-MM-DD"}


@dataclass(frozen=True)
class NoticeItem:
    """What a notice says about one claim (kept small: batches are large)."""

    claim_id: str
    participant_id: str
    name: str | None
    reference: str
    activity: date | None
    amount: Any
    outcome: Outcome
    problems: tuple[tuple[str | None, str, str | None], ...]

    @classmethod
    def of(cls, claim: Claim, decision: Decision) -> NoticeItem:
        """Summarise a non-accepted claim for its notice."""
        name, reference, amount = _summary(claim)
        problems = tuple(
            (p.field, p.code.value, _found(p.message)) for p in decision.problems
        )
        return cls(
            claim_id=claim.id,
            participant_id=claim.participant_id or "(unknown)",
            name=name,
            reference=reference,
            activity=claim.activity_date,
            amount=amount,
            outcome=decision.outcome,
            problems=problems,
        )


@dataclass(frozen=True)
class AwardNoticeItem:
    """What a partial-award notice says about one claim a limit cut.

    Attributes:
        claim_id: the claim.
        participant_id: who earned.
        name: the participant's name as claimed, if any.
        reference: the claim's reference as the participant knows it.
        activity: the sale's or stay's date.
        amount: the claim's amount, if any.
        points: the points paid.
        desired: the points the claim earned before the limits.
        cuts: (reason code, points it cut, as a positive number) per limit,
            in the award's order, one per code.
    """

    claim_id: str
    participant_id: str
    name: str | None
    reference: str
    activity: date | None
    amount: Any
    points: int
    desired: int
    cuts: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, claim: Claim, award: Award) -> AwardNoticeItem:
        """Summarise a cut award for its notice.

        Example: ``AwardNoticeItem.of(claim, award).cuts == (("cap_budget", 330),)``
        """
        name, reference, amount = _summary(claim)
        cuts: dict[str, int] = {}
        for line in award.lines:
            if line.code is not None and line.points < 0:
                cuts[line.code.value] = cuts.get(line.code.value, 0) - line.points
        return cls(
            claim_id=claim.id,
            participant_id=claim.participant_id or award.participant_id,
            name=name,
            reference=reference,
            activity=claim.activity_date,
            amount=amount,
            points=award.points,
            desired=award.desired_points,
            cuts=tuple(cuts.items()),
        )


def _summary(claim: Claim) -> tuple[str | None, str, Any]:
    """A claim's (participant name, reference, amount) as a notice shows them."""
    if isinstance(claim, SalesClaim):
        name, reference = claim.participant_name, claim.invoice_number
        amount = claim.claim_total
        if amount is None and any(ln.line_total for ln in claim.lines):
            amount = sum((ln.line_total or ZERO for ln in claim.lines), ZERO)
    else:
        name, reference = claim.member_name, claim.confirmation_number
        amount = claim.qualifying_revenue
    return name, claim.claim_ref or reference or claim.provenance.where(), amount


@dataclass(frozen=True)
class Notice:
    """A rendered notice to one participant.

    Attributes:
        participant_id: who it is for.
        language: the language it is written in.
        claim_ids: the claims it covers.
        text: the notice itself.
    """

    participant_id: str
    language: str
    claim_ids: tuple[str, ...]
    text: str

    def to_dict(self) -> dict[str, Any]:
        """The notice as plain data (what ``--json`` prints)."""
        return {
            "participant_id": self.participant_id,
            "language": self.language,
            "claim_ids": list(self.claim_ids),
            "text": self.text,
        }


def _found(message: str) -> str | None:
    """The value the message says was found, when it is a keyed value."""
    marker = ", found "
    if marker not in message:
        return None
    found = message.split(marker, 1)[1].split(" (", 1)[0]
    return found if found[:1] in "'\"0123456789" and " serial" not in message else None


@lru_cache(maxsize=16)
def _environment(template_dir: str | None) -> Environment:
    folders = [template_dir] if template_dir else []
    # A client's templates are data, not code: the sandbox refuses attribute
    # walks to Python internals (``''.__class__.__mro__``) and unsafe calls.
    return SandboxedEnvironment(
        loader=FileSystemLoader([*folders, str(BUNDLED)]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=16)
def _phrases(template_dir: str | None, language: str) -> dict[str, Any]:
    for folder in (template_dir, str(BUNDLED)):
        if folder and (Path(folder) / f"phrases.{language}.yaml").is_file():
            text = (Path(folder) / f"phrases.{language}.yaml").read_text(
                encoding="utf-8"
            )
            loaded: dict[str, Any] = yaml.safe_load(text)
            return loaded
    raise FileNotFoundError(f"phrases.{language}.yaml")


def _template_dir(client: ResolvedClient) -> str | None:
    folder = client.config.notices.template_dir
    if folder is None:
        return None
    return str(Path(client.source_path).parent / folder)


def render_notices(
    items: list[NoticeItem], client: ResolvedClient, today: date
) -> list[Notice]:
    """Render one notice per participant from the non-accepted claims of a batch.

    Args:
        items: one summary per pended, rejected or duplicate claim.
        client: the resolved client (language, locale, templates).
        today: the notice date.

    Returns:
        The notices, ordered by participant id.

    Example: ``render_notices([NoticeItem.of(claim, decision)], client, date.today())``
    """
    return _per_participant(
        items,
        client,
        today,
        "notice",
        lambda item, phrases, formats: _claim_view(item, client, phrases, formats),
        lambda mine: {"to_send": any(i.outcome is Outcome.PENDED for i in mine)},
    )


def render_award_notices(
    items: list[AwardNoticeItem], client: ResolvedClient, today: date
) -> list[Notice]:
    """Render one notice per participant for the awards a limit cut.

    Each claim is said to be accepted, with the points paid of the points
    it earned, and each limit that cut it in words (its reason code's
    phrase) with the points it cut.

    Args:
        items: one summary per cut award.
        client: the resolved client (language, locale, kind, templates).
        today: the notice date.

    Returns:
        The notices, ordered by participant id.

    Example: ``render_award_notices([AwardNoticeItem.of(claim, award)], client, day)``
    """
    kind = client.config.kind
    return _per_participant(
        items,
        client,
        today,
        "award",
        lambda item, phrases, formats: _award_view(item, kind, phrases, formats),
        lambda mine: {},
    )


def _per_participant(
    items: Sequence[Any],
    client: ResolvedClient,
    today: date,
    template: str,
    view: Callable[[Any, dict[str, Any], _Formats], dict[str, Any]],
    extra: Callable[[list[Any]], dict[str, Any]],
) -> list[Notice]:
    """One notice per participant from template ``{template}.{language}.j2``:
    each item shown through `view`, in participant id order."""
    config = client.config
    folder = _template_dir(client)
    phrases = _phrases(folder, config.language)
    template_name = f"{template}.{config.language}.j2"
    loaded = _template(folder, template_name)
    by_participant: dict[str, list[Any]] = {}
    for item in items:
        by_participant.setdefault(item.participant_id, []).append(item)
    shown_today = format_date(today, "long", locale=config.locale)
    formats = _Formats(config.locale, config.currency)
    notices = []
    for participant_id in sorted(by_participant):
        mine = by_participant[participant_id]
        text = _render(
            loaded,
            template_name,
            program=config.name,
            today=shown_today,
            name=next((i.name for i in mine if i.name), None),
            participant_id=participant_id,
            claims=[view(item, phrases, formats) for item in mine],
            reply_to=config.notices.reply_to,
            sender=config.notices.sender,
            **extra(mine),
        )
        claim_ids = tuple(i.claim_id for i in mine)
        notices.append(Notice(participant_id, config.language, claim_ids, text))
    return notices


def _award_view(
    item: AwardNoticeItem, kind: str, phrases: dict[str, Any], formats: _Formats
) -> dict[str, Any]:
    cuts = [
        {
            "reason": _for_kind(phrases["codes"][code], kind),
            "points": formats.number(points),
            "count": points,
        }
        for code, points in item.cuts
    ]
    return {
        "reference": item.reference,
        "activity": formats.day(item.activity) if item.activity else None,
        "activity_label": _for_kind(phrases["activity"], kind),
        "amount": formats.money(item.amount) if item.amount is not None else None,
        "points": formats.number(item.points),
        "desired": formats.number(item.desired),
        "desired_count": item.desired,
        "cuts": cuts,
    }


def _for_kind(phrase: str | dict[str, str], kind: str) -> str:
    """A phrase, or its wording for the program kind (``{sales: ..., stay: ...}``)."""
    return phrase if isinstance(phrase, str) else phrase[kind]


def _template(folder: str | None, template_name: str) -> Any:
    """A notice template, the client's or the bundled one, or a `ConfigError`."""
    try:
        return _environment(folder).get_template(template_name)
    except TemplateError as exc:
        raise ConfigError(f"{folder or BUNDLED}/{template_name}: {exc}") from None


def _render(template: Any, template_name: str, **values: Any) -> str:
    """A notice rendered, or a one-line `ConfigError` naming the template."""
    try:
        text: str = template.render(**values)
    except TemplateError as exc:  # SecurityError from the sandbox included
        raise ConfigError(f"{template_name}: the template failed: {exc}") from None
    return text


class _Formats:
    """Dates and amounts formatted for a locale, each distinct value once.

    Babel looks its locale data up on every call (~60 µs an amount); a
    batch's notices repeat a few hundred dates and prices.
    """

    def __init__(self, locale: str, currency: str) -> None:
        self.locale, self.currency = locale, currency
        self.dates: dict[date, str] = {}
        self.amounts: dict[Decimal, str] = {}

    def day(self, value: date) -> str:
        shown = self.dates.get(value)
        if shown is None:
            shown = self.dates[value] = format_date(value, "medium", locale=self.locale)
        return shown

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)

    def money(self, value: Decimal) -> str:
        shown = self.amounts.get(value)
        if shown is None:
            shown = self.amounts[value] = format_currency(
                value, self.currency, locale=self.locale
            )
        return shown


def _first_day(item: NoticeItem, client: ResolvedClient, formats: _Formats) -> str:
    """The first day the participant may claim again (``too_early``)."""
    window = client.claim_window
    first = window.first_day(item.activity) if window and item.activity else None
    return formats.day(first) if first else "-"


def _claim_view(
    item: NoticeItem,
    client: ResolvedClient,
    phrases: dict[str, Any],
    formats: _Formats,
) -> dict[str, Any]:
    config = client.config
    date_format = _DATE_FORMAT[config.date_order]
    numbers = client.numbers
    items = []
    for field, code, found in dict.fromkeys(item.problems):
        phrase = _for_kind(phrases["codes"][code], config.kind)
        if code == "invalid_number" and field == "quantity":
            phrase = phrases.get("whole_number", phrase)
        instruction = phrase.format(
            date_format=date_format,
            example=numbers.amount_example,
            first_day=_first_day(item, client, formats) if code == "too_early" else "",
        )
        label = _for_kind(phrases["fields"].get(field or "", field or ""), config.kind)
        items.append({"field": label, "instruction": instruction, "found": found})
    activity = formats.day(item.activity) if item.activity else None
    amount = formats.money(item.amount) if item.amount is not None else None
    return {
        "reference": item.reference,
        "activity": activity,
        "activity_label": phrases["activity"][config.kind],
        "amount": amount,
        "status": phrases["status"][item.outcome.value],
        "asks": items,
    }
