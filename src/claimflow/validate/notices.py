"""Notices to participants: one per participant per run, in the client's language.

A deficiency notice lists, claim by claim and field by field, what the
participant must send back (pended claims) or why a claim cannot earn
(rejected, duplicate and review claims). A partial-award notice tells, claim
by claim, how many of its points were paid and which limits cut the rest.
Each notice is rendered as plain text, and as HTML when asked for
(`Notice.html`, rendered when an e-mail is written: a batch's notices are
stored as text, and most runs write no e-mails), from Jinja2 templates
shared by every language (``notice.txt.j2``, ``notice.html.j2``,
``award.txt.j2``, ``award.html.j2``): their sentences,
plural forms included, come from the gettext catalogues of
`claimflow.validate.notice_i18n`, and the per-code and per-field wording from
``phrases.<lang>.yaml``. A client may ship its own (``notice.<lang>.j2``,
``phrases.<lang>.yaml``) in ``notices.template_dir``. A phrase may be worded
per program kind (``{sales: ..., stay: ...}``). Amounts and points are
formatted for the client's locale by Babel, dates in the notice's language
(`notice_locale`), the values the participant keyed included.

Privacy: a notice shows only the participant's own data. A value quoted back
("we read") is one the participant keyed, as they wrote it (an invoice or
serial number as in their claim, never as normalised for matching, and never
a value of another claim, nor the number of a source record a keying slip
from theirs, which may be another's sale: `NoticeItem.slip`); a duplicate
names the earlier claim by its reference only when it was the
participant's own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path, PurePath
from typing import Any

from jinja2 import Environment, Template, TemplateError

from claimflow.codes import Outcome
from claimflow.config import ResolvedClient
from claimflow.currencies import beyond_minor_unit, minor_digits
from claimflow.errors import ConfigError
from claimflow.keys import LOOK_ALIKES, ScriptSlip, look_alike_note, script_slip
from claimflow.models import Award, Claim, Decision, Provenance, SalesClaim
from claimflow.money import ZERO
from claimflow.numbers import NumberFormat
from claimflow.validate.notice_dates import (
    date_form,
    date_reading,
    date_reason,
    date_written,
    two_digit_year,
)
from claimflow.validate.notice_i18n import (
    BUNDLED,
    environment,
    notice_subject,
    phrases,
    translations,
)
from claimflow.validate.notice_values import (
    IN_BATCH,
    Formats,
    earlier_in_batch,
    found,
)

__all__ = [
    "BUNDLED",
    "AwardNoticeItem",
    "Notice",
    "NoticeItem",
    "render_award_notices",
    "render_notices",
]

_DATE_FORMAT = {"DMY": "DD/MM/YYYY", "MDY": "MM/DD/YYYY", "YMD": "YYYY-MM-DD"}

#: Fields the desk keys and corrects, not the participant: the received
#: stamp. A problem with one stays in the desk's output and the claim's
#: problems, never in the participant's notice, which cannot fix it (trial
#: 34: "date received: please send it again as YYYY-MM-DD"); a claim pended
#: for nothing else owes its participant no notice.
DESK_FIELDS = frozenset({"received_at"})


@dataclass(frozen=True)
class NoticeItem:
    """What a notice says about one claim (kept small: batches are large).

    Attributes:
        claim_id: the claim.
        participant_id: who it is for; None when the claim has no member
            number (its notice is its own: two such claims may be two
            people's).
        name: the participant's name as claimed, if any.
        reference: the claim's reference as the participant knows it (its
            own, else its invoice or confirmation number); None when it has
            neither.
        place: where the claim came from, naming it when it has no
            reference (in the notice's language).
        activity: the sale's or stay's date.
        amount: the claim's amount, if any.
        outcome: the claim's outcome.
        problems: (field, reason code, the value we read) per problem; the
            value is the participant's own, typed (a date or an amount is
            shown in the client's locale) or as keyed; None when there is
            none to quote back.
        earlier_on: the day the claim this one repeats was received.
        earlier_reference: that claim's reference, only when it was the
            participant's own (another participant's claim is never named).
        earlier_file: the name of the file that claim came in, likewise.
        slip: the invoice or confirmation number as the participant keyed
            it, when verification compared the claim with a record a keying
            slip away (whose own number the notice never shows).
    """

    claim_id: str
    participant_id: str | None
    name: str | None
    reference: str | None
    activity: date | None
    amount: Any
    outcome: Outcome
    problems: tuple[tuple[str | None, str, Any], ...]
    earlier_on: date | None = None
    earlier_reference: str | None = None
    earlier_file: str | None = None
    place: Provenance | None = None
    slip: str | None = None

    @classmethod
    def of(
        cls,
        claim: Claim,
        decision: Decision,
        earlier: Claim | None = None,
        slip: bool = False,
    ) -> NoticeItem:
        """Summarise a non-accepted claim for its notice.

        Args:
            claim: the claim.
            decision: its outcome and problems.
            earlier: the claim it repeats, for a duplicate: named by its
                reference only when it is the same participant's. Without
                it, an in-batch duplicate's own problem names it.
            slip: verification compared it with a record a keying slip away.

        Example: ``NoticeItem.of(claim, decision).problems[0][1] == "missing_field"``
        """
        name, reference, amount = _summary(claim)
        problems = tuple(
            (
                p.field,
                p.code.value,
                found(p.code, p.field, p.message, claim, p.source.line),
            )
            for p in decision.problems
            if p.field not in DESK_FIELDS
        )
        earlier_on = earlier_reference = earlier_file = None
        if earlier is not None:
            earlier_on = earlier.received_at.date()
            if (
                earlier.participant_id
                and earlier.participant_id == claim.participant_id
            ):
                earlier_reference = earlier.claim_ref or _identifier(earlier)
                earlier_file = PurePath(earlier.provenance.file).name
        else:
            said = next(
                (
                    named
                    for p in decision.problems
                    if p.code in IN_BATCH
                    and (named := earlier_in_batch(p.message)) is not None
                ),
                None,
            )
            if said is not None:
                earlier_ref, participant, earlier_on, file = said
                if participant and participant == claim.participant_id:
                    earlier_reference, earlier_file = earlier_ref, file
        return cls(
            claim_id=claim.id,
            participant_id=claim.participant_id or None,
            name=name,
            reference=reference,
            place=None if reference else claim.provenance,
            activity=claim.activity_date,
            amount=amount,
            outcome=decision.outcome,
            problems=problems,
            earlier_on=earlier_on,
            earlier_reference=earlier_reference,
            earlier_file=earlier_file,
            slip=_identifier(claim) if slip else None,
        )


@dataclass(frozen=True)
class AwardNoticeItem:
    """What a partial-award notice says about one claim a limit cut.

    Attributes:
        claim_id: the claim.
        participant_id: who earned.
        name: the participant's name as claimed, if any.
        reference: the claim's reference as the participant knows it; None
            when it has none (see `NoticeItem`).
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
    reference: str | None
    activity: date | None
    amount: Any
    points: int
    desired: int
    cuts: tuple[tuple[str, int], ...]
    place: Provenance | None = None

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
            place=None if reference else claim.provenance,
        )


def _identifier(claim: Claim) -> str | None:
    """The claim's invoice or confirmation number, as keyed."""
    if isinstance(claim, SalesClaim):
        return claim.invoice_number
    return claim.confirmation_number


def _summary(claim: Claim) -> tuple[str | None, str | None, Any]:
    """A claim's (participant name, reference, amount) as a notice shows
    them; a claim with no reference is named by its place (`Formats.place`),
    in the notice's language."""
    if isinstance(claim, SalesClaim):
        name = claim.participant_name
        amount = claim.claim_total
        if amount is None and any(ln.line_total for ln in claim.lines):
            amount = sum((ln.line_total or ZERO for ln in claim.lines), ZERO)
    else:
        name, amount = claim.member_name, claim.qualifying_revenue
    return name, claim.claim_ref or _identifier(claim) or None, amount


@dataclass(frozen=True)
class Notice:
    """A rendered notice to one participant.

    Attributes:
        participant_id: who it is for; empty for the notice of a claim
            without a member number.
        language: the language it is written in.
        claim_ids: the claims it covers.
        text: the notice itself, as plain text.
        subject: the e-mail subject.
        reply_to: the address the participant replies to.
        sender: the desk that signs the notice.
        page: renders the notice as an HTML page (see `html`); None for a
            notice read back from the store, which keeps the text only, or
            rendered from a client's own text template without an HTML one.
    """

    participant_id: str
    language: str
    claim_ids: tuple[str, ...]
    text: str
    subject: str | None = None
    reply_to: str | None = None
    sender: str | None = None
    page: Callable[[], str] | None = dataclasses.field(
        default=None, compare=False, repr=False
    )

    @property
    def html(self) -> str | None:
        """The same notice as an HTML page, rendered now (None: text only).

        Example: ``"<html" in render_notices(items, client, day)[0].html``
        """
        return self.page() if self.page is not None else None

    def to_dict(self) -> dict[str, Any]:
        """The notice as plain data (what ``--json`` prints)."""
        return {
            "participant_id": self.participant_id or None,
            "language": self.language,
            "claim_ids": list(self.claim_ids),
            "text": self.text,
        }


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
        items: one summary per pended, rejected, review or duplicate claim.
        client: the resolved client (language, locale, templates).
        today: the notice date.

    Returns:
        The notices, ordered by participant id, each as text and HTML.

    Example: ``render_notices([NoticeItem.of(claim, decision)], client, date.today())``
    """
    # a claim pended only for what the desk corrects (`DESK_FIELDS`) asks
    # its participant for nothing
    items = [i for i in items if i.problems or i.outcome is not Outcome.PENDED]
    return _per_participant(
        items,
        client,
        today,
        "notice",
        lambda item, words, formats: _claim_view(item, client, words, formats),
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
        The notices, ordered by participant id, each as text and HTML.

    Example: ``render_award_notices([AwardNoticeItem.of(claim, award)], client, day)``
    """
    kind = client.config.kind
    return _per_participant(
        items,
        client,
        today,
        "award",
        lambda item, words, formats: _award_view(item, kind, words, formats),
        lambda mine: {},
    )


def _per_participant(
    items: Sequence[Any],
    client: ResolvedClient,
    today: date,
    template: str,
    view: Callable[[Any, dict[str, Any], Formats], dict[str, Any]],
    extra: Callable[[list[Any]], dict[str, Any]],
) -> list[Notice]:
    """One notice per participant, as text and HTML, each item shown through
    `view`, in participant id order."""
    config = client.config
    folder = _template_dir(client)
    language = config.language
    words = phrases(folder, language)
    text_template, html_template = _templates(folder, language, template)
    # A claim without a member number has a notice of its own: two of them
    # may be two people's, and a notice shows one participant's claims only.
    by_participant: dict[tuple[str, str], list[Any]] = {}
    for item in items:
        who = (item.participant_id, "") if item.participant_id else ("", item.claim_id)
        by_participant.setdefault(who, []).append(item)
    formats = Formats(config.locale, config.currency, translations(language), language)
    shown_today = formats.long_day(today)  # in the notice's language (en at ar_EG)
    notices = []
    for who in sorted(by_participant):
        mine = by_participant[who]
        participant_id = who[0]
        more = extra(mine)
        which = "send" if more.get("to_send") else template
        subject = notice_subject(language, which, config.name, len(mine))
        values = {
            "program": config.name,
            "today": shown_today,
            "name": next((i.name for i in mine if i.name), None),
            "participant_id": participant_id or None,
            "claims": [view(item, words, formats) for item in mine],
            "reply_to": config.notices.reply_to,
            "sender": config.notices.sender,
            "language": language,
            "kind": config.kind,
            "subject": subject,
            **more,
        }
        text = _render(text_template, values)
        page = partial(_render, html_template, values) if html_template else None
        notices.append(
            Notice(
                participant_id,
                language,
                tuple(i.claim_id for i in mine),
                text,
                page=page,
                subject=subject,
                reply_to=config.notices.reply_to,
                sender=config.notices.sender,
            )
        )
    return notices


def _templates(
    folder: str | None, language: str, template: str
) -> tuple[Template, Template | None]:
    """The text and HTML templates of a notice kind: a client's own
    ``{template}.{language}.j2`` before the bundled ``{template}.txt.j2``.

    A client's own text template gets the client's HTML template
    (``{template}.{language}.html.j2``) or none: the bundled HTML would say
    something other than the client's text.
    """
    env = environment(folder, language)
    text = _template(env, folder, [f"{template}.{language}.j2", f"{template}.txt.j2"])
    bundled = Path(text.filename or "").parent == BUNDLED
    names = [f"{template}.{language}.html.j2"]
    if bundled:
        names.append(f"{template}.html.j2")
    try:
        html = env.select_template(names)
    except TemplateError:
        return text, None
    if not bundled and Path(html.filename or "").parent == BUNDLED:
        return text, None
    return text, html


def _award_view(
    item: AwardNoticeItem, kind: str, words: dict[str, Any], formats: Formats
) -> dict[str, Any]:
    cuts = [
        {
            "reason": _for_kind(words["codes"][code], kind),
            "points": formats.number(points),
            "count": points,
        }
        for code, points in item.cuts
    ]
    return {
        "reference": item.reference or formats.place(item.place),
        "activity": formats.day(item.activity) if item.activity else None,
        "activity_label": _for_kind(words["activity"], kind),
        "amount": formats.money(item.amount) if item.amount is not None else None,
        "points": formats.number(item.points),
        "desired": formats.number(item.desired),
        "desired_count": item.desired,
        "cuts": cuts,
    }


def _for_kind(phrase: str | dict[str, str], kind: str) -> str:
    """A phrase, or its wording for the program kind (``{sales: ..., stay: ...}``)."""
    return phrase if isinstance(phrase, str) else phrase[kind]


def _template(env: Environment, folder: str | None, names: list[str]) -> Template:
    """A notice template, the client's or the bundled one, or a `ConfigError`."""
    try:
        return env.select_template(names)
    except TemplateError as exc:
        raise ConfigError(f"{folder or BUNDLED}/{names[0]}: {exc}") from None


def _render(template: Template, values: dict[str, Any]) -> str:
    """A notice rendered, or a one-line `ConfigError` naming the template."""
    try:
        return template.render(**values)
    except TemplateError as exc:  # SecurityError from the sandbox included
        raise ConfigError(f"{template.name}: the template failed: {exc}") from None


def _beyond_minor_unit(value: Any, numbers: NumberFormat, currency: str) -> bool:
    """Whether an amount was refused for more decimals than `currency` has
    (``1.234,565`` keyed, 1234.565 typed; `claimflow.currencies`)."""
    if isinstance(value, str):
        return numbers.beyond_minor_unit(value, currency)
    return isinstance(value, Decimal) and beyond_minor_unit(value, currency) is not None


def _first_day(item: NoticeItem, client: ResolvedClient, formats: Formats) -> str:
    """The first day the participant may claim again (``too_early``)."""
    window = client.claim_window
    first = window.first_day(item.activity) if window and item.activity else None
    return formats.day(first) if first else "-"


def _script_slip(value: Any, field: str | None, client: ResolvedClient) -> ScriptSlip | None:
    """A code keyed in look-alike letters of another script: a product or
    hotel code of the catalogue, or a value of a format (``ΑΒ12399``)."""
    if not isinstance(value, str):
        return None
    catalogue = {"sku": client.eligible_skus, "hotel_code": client.eligible_hotels}
    if field in catalogue:  # without a catalogue: a code of two scripts
        return script_slip(value, catalogue[field] or frozenset())
    pattern = client.formats.get(field or "")
    if pattern is not None and look_alike_note(value, pattern):
        return script_slip(value, frozenset({value.upper().translate(LOOK_ALIKES)}))
    return None


def _phrase(
    code: str,
    field: str | None,
    value: Any,
    client: ResolvedClient,
    words: dict[str, Any],
    slip: ScriptSlip | None,
) -> tuple[str, tuple[str, str] | None]:
    """What a notice asks of one problem (its catalogue phrase, or a
    closer one where the value says why), and an ambiguous number's two
    readings."""
    config, numbers = client.config, client.numbers
    phrase = _for_kind(words["codes"][code], config.kind)
    if code == "invalid_number" and field == "quantity":
        return words.get("whole_number", phrase), None
    if (
        code == "invalid_number"
        and isinstance(value, str)
        and numbers.foreign_currency(value, config.currency)
    ):
        # resent as a bare number, a dollar amount would be read as pesos
        return words.get("foreign_currency", phrase), None
    if code == "invalid_number" and _beyond_minor_unit(value, numbers, config.currency):
        # 1.234,565 EUR: the amount as the invoice shows it, not rounded
        key = "no_decimals" if minor_digits(config.currency) == 0 else "too_many_decimals"
        # a unit price below the minor unit is read beside its line total
        key = "unit_price_decimals" if field == "unit_price" else key
        return words.get(key, phrase), None
    if code == "invalid_number" and isinstance(value, str):
        # the locale's example is the form the member already wrote
        readings = numbers.two_readings(value, config.currency)
        if readings is not None:
            return words.get("ambiguous_number", phrase), readings
        return phrase, None
    if code == "invalid_date" and two_digit_year(value, config.date_order):
        return words.get("full_year", phrase), None
    if slip is not None:
        # АВС-100 reads as the program's ABC-100: "check it" would not help
        return words.get("other_script", phrase), None
    return phrase, None


def _claim_view(
    item: NoticeItem,
    client: ResolvedClient,
    words: dict[str, Any],
    formats: Formats,
) -> dict[str, Any]:
    config = client.config
    kind = config.kind
    date_format = words.get("date_formats", _DATE_FORMAT)[config.date_order]
    numbers = client.numbers
    asks: list[dict[str, Any]] = []
    earlier = formats.earlier(
        item.earlier_on, item.earlier_reference, item.earlier_file
    )
    for field, code, value in dict.fromkeys(item.problems):
        slip = _script_slip(value, field, client) if code == "invalid_format" else None
        phrase, readings = _phrase(code, field, value, client, words, slip)
        reason = ""
        if code == "invalid_date":
            reason = date_reason(
                date_reading(value, client),
                words,
                config.language,
                date_written(config.date_order, config.locale),
            )
        instruction = phrase.format(
            date_format=date_form(date_format, config.locale),
            reason=reason,
            example=numbers.money_example(config.currency),
            whole=readings[0] if readings else "",
            decimal=readings[1] if readings else "",
            currency=config.currency,
            digits=minor_digits(config.currency),
            minor_unit=formats.minor_unit(words),
            first_day=_first_day(item, client, formats) if code == "too_early" else "",
            letters=slip.keyed.split(" ", 1)[1] if slip else "",
            code=f": {slip.meant}" if slip and slip.meant else "",
        )
        # a field the phrase file does not name (a client's own) is left
        # unnamed rather than named in English (``fees:``) in a notice
        label = words["fields"].get(field or "")
        label = _for_kind(label, kind) if label is not None else None
        asks.append(
            {
                "field": label,
                "instruction": instruction,
                "found": formats.found(value, field),
                "earlier": None if asks else earlier,
            }
        )
    if item.slip and "keying_slip" in words:  # a client's own phrases may lack it
        asks.insert(0, formats.slip(item.slip, kind, words))
    activity = formats.day(item.activity) if item.activity else None
    amount = formats.money(item.amount) if item.amount is not None else None
    return {
        "reference": item.reference or formats.place(item.place),
        "activity": activity,
        "activity_label": _for_kind(words["activity"], kind),
        "amount": amount,
        "status": _for_kind(words["status"][item.outcome.value], kind),
        "asks": asks,
    }
