"""Record rules: one raw record in, one typed claim plus its problems out.

Typing is pydantic's job (the claim models' keyed types read values in the
client's date order and number format, and every failure arrives as a
`ReasonCode`). A value that fails to type is dropped from the claim (so the
claim can still be stored and shown) and becomes a problem. Then the rules in
`RECORD_RULES` run in order; each is a plain function over the typed claim.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from claimflow.codes import ReasonCode
from claimflow.config import ResolvedClient
from claimflow.currencies import beyond_minor_unit
from claimflow.keys import (
    look_alike_note,
    normalize_key,
    script_slip,
    script_slip_message,
)
from claimflow.models import (
    Claim,
    Problem,
    Provenance,
    RawRecord,
    SalesClaim,
    StayClaim,
    source_name,
)
from claimflow.money import LINE_TOLERANCE, minor_unit
from claimflow.numbers import minor_digits
from claimflow.shown import money, number, plural
from claimflow.validate.typist import Typist
from claimflow.values import ValueContext
from claimflow.window import ClaimWindow, after_now, desk_day, desk_time

RecordRule = Callable[[Claim, ResolvedClient, "Sourcing"], list[Problem]]

_PYDANTIC_CODES = {
    "int_parsing": ReasonCode.INVALID_NUMBER,
    "decimal_parsing": ReasonCode.INVALID_NUMBER,
    "date_parsing": ReasonCode.INVALID_DATE,
    "datetime_type": ReasonCode.MISSING_FIELD,
}


class Sourcing:
    """Finds the provenance of a canonical field of one raw record."""

    __slots__ = ("claim_id", "places", "raw")

    def __init__(self, raw: RawRecord, claim_id: str) -> None:
        self.raw = raw
        self.claim_id = claim_id
        self.places: dict[int | None, tuple[str, int | None]] = {}

    def _base(self, line: int | None) -> tuple[Provenance, int | None]:
        """The claim line's own place and number as its reader gave them: a
        form's lines 1 and 3 (line 2 left blank) are the claim's first and
        second, but line 3 is named line 3 and by its own fields."""
        lines = self.raw.lines
        if line is None or line > len(lines):
            return self.raw.source, None
        base = lines[line - 1][0]
        # A one-line claim read from one row: the row says it all.
        if len(lines) == 1 and base.line is None:
            return base, None
        return base, (line if base.line is None else base.line)

    def of(self, field: str, line: int | None = None) -> Provenance:
        """Provenance of `field` (of claim line `line`, 1-based, if given)."""
        base, at = self._base(line)
        name = source_name(self.raw.field_sources, field, line if at is None else at)
        return base.at(name, at)

    def where(self, field: str, line: int | None = None) -> str:
        """``of(field, line).where()``, without building a Provenance (hot path)."""
        known = self.places.get(line)
        if known is None:  # the record's (or line's) place, rendered once
            base, at = self._base(line)
            place = base.where() if base.line == at else base.at(None, at).where()
            known = self.places[line] = (place, line if at is None else at)
        place, at = known
        return f"{place}:{source_name(self.raw.field_sources, field, at)}"

    def problem(
        self, code: ReasonCode, field: str, message: str, line: int | None = None
    ) -> Problem:
        """A problem of this record's `field` (of claim line `line`)."""
        return Problem(
            source=self.of(field, line),
            code=code,
            message=message,
            record_id=self.claim_id,
            field=field,
        )


def claim_id(raw: RawRecord) -> str:
    """A stable id: the file's hash prefix plus where the record sits in it.

    Example: ``claim_id(raw) == "3fa2c1d09b7e-r14"``
    """
    src = raw.source
    where = f"p{src.page}" if src.page is not None else f"r{src.row}"
    sheet = f"{src.sheet}-" if src.sheet else ""
    return f"{raw.content_hash[:12]}-{sheet}{where}"


def _payload(raw: RawRecord, client: ResolvedClient, cid: str) -> dict[str, Any]:
    data: dict[str, Any] = dict(raw.values)
    data.update(id=cid, client=client.key, provenance=raw.source)
    data.setdefault("received_at", None)
    if client.fields.line:
        data["lines"] = [{**values, "provenance": src} for src, values in raw.lines]
    return data


def _typing_problems(
    error: ValidationError, data: dict[str, Any], src: Sourcing
) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = item["loc"]
        if loc[0] == "lines" and len(loc) >= 3:
            line, field = int(loc[1]) + 1, str(loc[2])
            data["lines"][line - 1].pop(field, None)
        else:
            line, field = None, str(loc[0])
            data.pop(field, None)
        code = _PYDANTIC_CODES.get(item["type"])
        if code is None:
            try:
                code = ReasonCode(item["type"])
            except ValueError:
                code = ReasonCode.INVALID_FORMAT
        message = item["msg"] if code is not ReasonCode.MISSING_FIELD else "required"
        found = item.get("input")
        if code is ReasonCode.INVALID_FORMAT and not message.startswith("expected"):
            message = f"expected a valid value ({message}), found {found!r}"
        problems.append(src.problem(code, field, message, line))
    return problems


def _keyed_currency(raw: RawRecord) -> str | None:
    """The ISO code a record names for its amounts (a stay's currency
    column), or None when it names none or not as a code."""
    value = raw.values.get("currency")
    code = value.strip().upper() if isinstance(value, str) else ""
    return code if len(code) == 3 and code.isascii() and code.isalpha() else None


def typist_for(client: ResolvedClient, context: ValueContext) -> Typist:
    """The fast typing path for this client's claims in this context."""
    return Typist(_model(client), context, bool(client.fields.line))


def _model(client: ResolvedClient) -> type[SalesClaim] | type[StayClaim]:
    return SalesClaim if client.config.kind == "sales" else StayClaim


def build_claim(
    raw: RawRecord,
    client: ResolvedClient,
    context: ValueContext,
    typist: Typist | None = None,
) -> tuple[Claim, list[Problem]]:
    """Type a raw record into a claim and check every record rule.

    Args:
        raw: the record as read.
        client: the resolved client.
        context: how to read values (date order, zone, default received time).
        typist: the chunk's fast typing path (`typist_for`), if any; a record
            it cannot vouch for is validated by pydantic, with its errors.

    Returns:
        The claim (values that failed to type are left empty) and every problem.

    Example: ``claim, problems = build_claim(raw, client, ValueContext("MDY"))``
    """
    cid = claim_id(raw)
    src = Sourcing(raw, cid)
    problems: list[Problem] = []
    keyed = _keyed_currency(raw)
    if keyed is not None and keyed != context.currency:
        # A stay in US$ keyed as such: its amounts' signs are read as USD
        # (the chunk's fast path reads in the client's currency only).
        context, typist = replace(context, currency=keyed), None
    fast = typist.claim(raw, cid, client.key) if typist is not None else None
    if fast is not None:
        claim: Claim = fast
    else:
        model = _model(client)
        data = _payload(raw, client, cid)
        try:
            claim = model.model_validate(data, context=context)
        except ValidationError as exc:
            problems = _typing_problems(exc, data, src)
            if data.get("received_at") is None:
                data["received_at"] = context.received_at
            claim = model.model_validate(data, context=context)
    found = [p for rule in RECORD_RULES for p in rule(claim, client, src)]
    clock = context.clock
    if clock is not None and after_now(claim.received_at, clock):
        # A received time keyed in the future is wrong: the claim is pended
        # for it, not judged late or early on a day that is not its own.
        found = [p for p in found if p.code not in _ON_RECEIPT]
        found.append(_received_in_future(raw, claim, clock, client, src))
    if problems:
        # A value that failed to type is reported once, not again as missing.
        untyped = {(p.field, p.source.line) for p in problems}
        # a unit price below the minor unit is held by its line total
        # (`_fractions`): one keyed but unread is asked for, not the price
        untyped |= {("unit_price", line) for f, line in untyped if f == "line_total"}
        found = [p for p in found if (p.field, p.source.line) not in untyped]
        if ("received_at", None) in untyped:
            # The batch's time only stands in for a received time keyed but
            # unreadable: the claim is pended for it, not judged on that day.
            found = [p for p in found if p.code not in _ON_RECEIPT]
    return claim, problems + found


def _received_in_future(
    raw: RawRecord, claim: Claim, clock: datetime, client: ResolvedClient, src: Sourcing
) -> Problem:
    keyed = raw.values.get("received_at")
    shown = keyed.strip() if isinstance(keyed, str) else None
    return src.problem(
        ReasonCode.RECEIVED_IN_FUTURE,
        "received_at",
        f"expected a time no later than now ({desk_time(clock, client.zone)} at "
        f"the desk, {client.zone}), found "
        f"{shown or desk_time(claim.received_at, client.zone)!r}",
    )


#: What `rule_dates` judges on the received day.
_ON_RECEIPT = frozenset(
    {
        ReasonCode.DATE_AFTER_RECEIPT,
        ReasonCode.OUTSIDE_CLAIM_WINDOW,
        ReasonCode.TOO_EARLY,
    }
)


def rule_required(claim: Claim, client: ResolvedClient, src: Sourcing) -> list[Problem]:
    """Every required field has a value (per line for line fields)."""
    missing = [
        src.problem(ReasonCode.MISSING_FIELD, f, "required, found nothing")
        for f in client.required_header
        if getattr(claim, f) in (None, "")
    ]
    if isinstance(claim, SalesClaim):
        if not claim.lines and client.required_line:
            missing.append(
                src.problem(ReasonCode.MISSING_FIELD, "sku", "no product lines")
            )
        for n, line in enumerate(claim.lines, start=1):
            missing.extend(
                src.problem(ReasonCode.MISSING_FIELD, f, "required, found nothing", n)
                for f in client.required_line
                if getattr(line, f) in (None, "", ())
            )
    return missing


def rule_formats(claim: Claim, client: ResolvedClient, src: Sourcing) -> list[Problem]:
    """Values match the client's regexes; serial numbers match their SKU's."""
    problems: list[Problem] = []
    for field, pattern in client.formats.items():
        value = getattr(claim, field, None)
        if isinstance(value, str) and not pattern.fullmatch(value):
            problems.append(
                src.problem(
                    ReasonCode.INVALID_FORMAT,
                    field,
                    f"expected {pattern.pattern!r}, found {value!r}"
                    + look_alike_note(value, pattern),
                )
            )
    if isinstance(claim, SalesClaim):
        for n, line in enumerate(claim.lines, start=1):
            serial_format = client.serial_formats.get(
                line.sku or "", client.serial_formats.get("*")
            )
            if serial_format is None:
                continue
            for serial in line.serial_numbers:
                if not serial_format.fullmatch(serial):
                    problems.append(
                        src.problem(
                            ReasonCode.INVALID_FORMAT,
                            "serial_numbers",
                            f"expected a {line.sku} serial like "
                            f"{serial_format.pattern!r}, "
                            f"found {serial!r}",
                            n,
                        )
                    )
    return problems


def rule_lines(claim: Claim, client: ResolvedClient, src: Sourcing) -> list[Problem]:
    """Quantities > 0; line total = quantity x unit price within a cent (half
    a yen, where the minor unit is larger); serials."""
    if not isinstance(claim, SalesClaim):
        return []
    problems = []
    # Figures in the client's locale: a de_DE desk reads 1.234,56 €.
    locale, currency = client.config.locale, client.config.currency
    tolerance = _line_tolerance(currency)
    for n, line in enumerate(claim.lines, start=1):
        if line.quantity is not None and line.quantity <= 0:
            problems.append(
                src.problem(
                    ReasonCode.NONPOSITIVE_QUANTITY,
                    "quantity",
                    f"expected more than 0, found {number(line.quantity, locale)}",
                    n,
                )
            )
        for name in ("unit_price", "line_total"):
            amount = getattr(line, name)
            if amount is not None and amount < 0:
                problems.append(
                    _negative(src, name, money(amount, currency, locale), n)
                )
        quantity, price, total = line.quantity, line.unit_price, line.line_total
        if quantity is not None and price is not None and total is not None:
            expected = price * quantity
            if abs(expected - total) > tolerance:
                problems.append(
                    src.problem(
                        ReasonCode.LINE_TOTAL_MISMATCH,
                        "line_total",
                        f"expected {number(quantity, locale)} x "
                        f"{money(price, currency, locale)} = "
                        f"{money(expected, currency, locale)}, "
                        f"found {money(total, currency, locale)}",
                        n,
                    )
                )
        if (
            client.config.serials_per_unit
            and line.quantity
            and line.quantity > 0
            and len(line.serial_numbers) != line.quantity
        ):
            problems.append(
                src.problem(
                    ReasonCode.SERIAL_COUNT_MISMATCH,
                    "serial_numbers",
                    f"expected {line.quantity} serial "
                    f"{plural(line.quantity, 'number')}, found "
                    f"{len(line.serial_numbers)}",
                    n,
                )
            )
    return problems + _serials_twice(claim, src)


def _serials_twice(claim: SalesClaim, src: Sourcing) -> list[Problem]:
    """A serial listed twice in one claim, on one line or two: one unit
    claimed as two (as compared: `normalize_key`). Not a duplicate of an
    earlier claim: the batch rules leave a claim's own repeats to this."""
    lines = claim.lines
    if len(lines) == 1 and len(lines[0].serial_numbers) < 2:
        return []  # the usual claim: one line, one serial at most
    keys = [normalize_key(s) for line in lines for s in line.serial_numbers]
    if len(set(keys)) == len(keys):
        return []
    problems = []
    listed: dict[str, int] = {}  # each serial's first line
    for n, line in enumerate(lines, start=1):
        on_line: set[str] = set()
        for serial in line.serial_numbers:
            key = normalize_key(serial)
            earlier = listed.setdefault(key, n)
            if earlier != n or key in on_line:
                again = "on this line" if earlier == n else f"(also on line {earlier})"
                problems.append(
                    src.problem(
                        ReasonCode.SERIAL_COUNT_MISMATCH,
                        "serial_numbers",
                        f"{serial!r} is listed twice {again}: "
                        "one serial number for each unit",
                        n,
                    )
                )
            on_line.add(key)
    return problems


#: The amounts a claim form states for the whole claim, which earn points or
#: are taken from what does: none may be negative (a refund or cancellation
#: is the desk's ``ledger reverse`` of the award, never a claim).
_CLAIM_AMOUNTS = {
    "sales": ("claim_total",),
    "stay": ("qualifying_revenue", "taxes", "fees", "incidentals"),
}


def rule_amounts(claim: Claim, client: ResolvedClient, src: Sourcing) -> list[Problem]:
    """The claim's own amounts (a stay's revenue, a sales claim's total) are 0
    or more: a negative one is refused, never read as no revenue."""
    problems = []
    locale = client.config.locale
    # a stay keys its own currency; a sales claim is in the client's (a
    # missing attribute would cost pydantic's __getattr__ per claim)
    keyed = claim.currency if isinstance(claim, StayClaim) else None
    currency = str(keyed or client.config.currency)
    for name in _CLAIM_AMOUNTS[claim.kind]:
        amount = getattr(claim, name)
        if amount is not None and amount < 0:
            problems.append(_negative(src, name, money(amount, currency, locale)))
    return problems + _fractions(claim, currency, src)


@lru_cache(maxsize=64)
def _line_tolerance(currency: str) -> Decimal:
    """How far a line total may be from quantity x unit price: a cent, or
    half the minor unit where it is larger (a total rounds a price below
    the minor unit to it: 3 x 0.25 yen is 1)."""
    return max(LINE_TOLERANCE, minor_unit(currency) / 2)


def _fractions(claim: Claim, currency: str, src: Sourcing) -> list[Problem]:
    """Amounts with more decimals than the currency's minor unit (1234.565
    EUR, 0.5 JPY): typing refuses them in the currency it reads in
    (`claimflow.values`); this holds a claim to its own currency too.

    A unit price may go below the minor unit (0.125 EUR, 31.26 yen a
    unit), as invoices price units, but only beside the line total it
    makes, which is an amount and must agree with it (`rule_lines`):
    without one, the line's amount would be price x quantity with decimals
    no invoice has, and ``1.234,565`` a slip for 1.234.565 would pass.
    """
    minor = minor_digits(currency)
    found: list[tuple[str, Decimal | None, int | None]] = [
        (name, getattr(claim, name), None) for name in _CLAIM_AMOUNTS[claim.kind]
    ]
    if isinstance(claim, SalesClaim):
        for n, each in enumerate(claim.lines, start=1):
            found.append(("line_total", each.line_total, n))
            if each.line_total is None:
                found.append(("unit_price", each.unit_price, n))
    problems = []
    for name, amount, line in found:
        why = None if amount is None else beyond_minor_unit(amount, currency)
        if why is None:
            continue
        expected = f"an amount with {minor} decimals at most" if minor else "a whole amount"
        if name == "unit_price":
            expected = f"a unit price with its line total, or {expected}"
        problems.append(
            src.problem(
                ReasonCode.INVALID_NUMBER,
                name,
                f"expected {expected}, found {amount:f} ({why})",
                line,
            )
        )
    return problems


def _negative(
    src: Sourcing, field: str, shown: str, line: int | None = None
) -> Problem:
    """A negative amount, quoted as people read it (`shown`)."""
    return src.problem(
        ReasonCode.NEGATIVE_AMOUNT,
        field,
        f"expected an amount of 0 or more, found {shown}",
        line,
    )


def rule_dates(claim: Claim, client: ResolvedClient, src: Sourcing) -> list[Problem]:
    """Check-out after check-in; activity not after receipt and inside the window."""
    problems = []
    field = "invoice_date" if isinstance(claim, SalesClaim) else "check_out"
    if isinstance(claim, StayClaim) and claim.check_in and claim.check_out:
        if claim.check_out <= claim.check_in:
            problems.append(
                src.problem(
                    ReasonCode.CHECKOUT_NOT_AFTER_CHECKIN,
                    "check_out",
                    f"expected a date after check-in {claim.check_in}, "
                    f"found {claim.check_out}",
                )
            )
    activity = claim.activity_date
    if activity is None:
        return problems
    received = desk_day(claim.received_at, client.zone)
    if activity > received:
        problems.append(
            src.problem(
                ReasonCode.DATE_AFTER_RECEIPT,
                field,
                f"expected a date on or before receipt {received}, found {activity}",
            )
        )
    elif client.claim_window is not None:
        problems.extend(
            _window_problems(client.claim_window, activity, received, field, src)
        )
    return problems


def _window_problems(
    window: ClaimWindow, activity: date, received: date, field: str, src: Sourcing
) -> list[Problem]:
    """Received after the window closed (``outside_claim_window``: rejected) or
    before it opened (``too_early``: the participant may claim again from its
    first day, which the notice gives); `received` is the desk's day."""
    last = window.last_day(activity)
    if last is not None and received > last:
        return [
            src.problem(
                ReasonCode.OUTSIDE_CLAIM_WINDOW,
                field,
                f"expected a date on or after {window.earliest_activity(received)} "
                f"({window.describe()}), found {activity}",
            )
        ]
    first = window.first_day(activity)
    if first is not None and received < first:
        return [
            src.problem(
                ReasonCode.TOO_EARLY,
                field,
                f"expected a claim received on or after {first} "
                f"({window.not_before_days} "
                f"{plural(window.not_before_days, 'day')} after {activity}), "
                f"found one received {received}",
            )
        ]
    return []


def rule_eligibility(
    claim: Claim, client: ResolvedClient, src: Sourcing
) -> list[Problem]:
    """SKU, hotel and booking channel are in the program; proof is attached."""
    config = client.config
    problems: list[Problem] = []
    if isinstance(claim, SalesClaim):
        # Without a catalogue every code is a product, but not 'AВC-100'
        # (a Cyrillic В among Latin letters): no code is written in two scripts.
        eligible = client.eligible_skus
        for n, line in enumerate(claim.lines, start=1):
            if not line.sku or (eligible is not None and line.sku.upper() in eligible):
                continue
            slip = script_slip(line.sku, eligible or frozenset())
            if eligible is None and slip is None:
                continue
            problems.append(
                src.problem(
                    ReasonCode.INVALID_FORMAT if slip else ReasonCode.INELIGIBLE_SKU,
                    "sku",
                    script_slip_message(line.sku, slip)
                    if slip
                    else f"expected a program product, found {line.sku!r}",
                    n,
                )
            )
    if isinstance(claim, StayClaim):
        hotels, hotel = client.eligible_hotels, claim.hotel_code or ""
        unlisted = bool(hotel) and (hotels is None or hotel.upper() not in hotels)
        slip = script_slip(hotel, hotels or frozenset()) if unlisted else None
        if slip or (unlisted and hotels is not None):
            problems.append(
                src.problem(
                    ReasonCode.INVALID_FORMAT if slip else ReasonCode.INELIGIBLE_HOTEL,
                    "hotel_code",
                    script_slip_message(hotel, slip)
                    if slip
                    else f"expected a participating hotel, found {hotel!r}",
                )
            )
        channel = (claim.booking_channel or "").casefold()
        if channel and channel in client.excluded_channels:
            problems.append(
                src.problem(
                    ReasonCode.INELIGIBLE_CHANNEL,
                    "booking_channel",
                    f"expected a direct booking, found {claim.booking_channel!r}",
                )
            )
    if config.require_proof and not getattr(claim, "proof_attached", None):
        problems.append(
            src.problem(
                ReasonCode.NO_PROOF,
                "proof_attached",
                "expected a copy of the invoice or folio, found none attached",
            )
        )
    return problems


#: The record rules, in the order they run (data, not code paths: STYLE 3).
RECORD_RULES: list[RecordRule] = [
    rule_required,
    rule_formats,
    rule_lines,
    rule_amounts,
    rule_dates,
    rule_eligibility,
]
