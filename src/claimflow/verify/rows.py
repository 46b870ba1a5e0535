"""Claims and source records as store rows give them, for verification in sets.

`read_claim` types a claim's compared fields as the claim models type them
(`claimflow.values`: text stripped, ISO dates, amounts read as the machine
writes them), and `one_invoice` / `one_stay` a claim's source records, with
no model per row; a value not stored the way this release stores it makes
them give up (None), and the claim is then read as a model and verified one
at a time. `details_json` writes a result's checks and problems as the
reference records them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from json.encoder import encode_basestring_ascii as _quoted
from typing import NamedTuple

from claimflow.keys import normalize_key
from claimflow.models import Provenance
from claimflow.numbers import NumberError
from claimflow.store.verification import ClaimFields, ToVerify
from claimflow.values import DEFAULT_CONTEXT, parse_date
from claimflow.verify.match import Verification

_COUNT_LIMIT = 10**24  # beyond any count (as `claimflow.values` reads one)


class Odd(ValueError):
    """A stored value not in the form this release stores it."""


def stored_text(value: object) -> str | None:
    """Text as the claim models read it (`KeyedText`); `Odd` if not text."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Odd
    return value.strip() or None


def _day(value: object) -> date | None:
    text = stored_text(value)
    if text is None:
        return None
    day = parse_date(text, "YMD")
    if isinstance(day, str):
        raise Odd
    return day


def _amount(value: object) -> Decimal | None:
    text = stored_text(value)
    if text is None:
        return None
    try:
        return DEFAULT_CONTEXT.numbers.read(text)
    except NumberError:
        raise Odd from None


def _count(value: object) -> int | None:
    if value is None:
        return None
    if value.__class__ is not int or not -_COUNT_LIMIT < value < _COUNT_LIMIT:
        raise Odd
    return value


class _Line(NamedTuple):
    """A claim line's compared fields (`LineFields`)."""

    sku: str | None
    quantity: int | None
    line_total: Decimal | None
    serial_numbers: tuple[str, ...]


def _line(value: object) -> _Line:
    if not isinstance(value, dict):
        raise Odd
    serials = value.get("serial_numbers")
    if serials is not None and not isinstance(serials, list):
        raise Odd
    return _Line(
        stored_text(value.get("sku")),
        _count(value.get("quantity")),
        _amount(value.get("line_total")),
        tuple(s for s in (str(i).strip() for i in serials or ()) if s),
    )


@dataclass(slots=True)
class ClaimRead:
    """A claim to verify as read: its row and compared fields (`SaleFields`,
    `StayFields`), typed as the claim models type them."""

    rowid: int
    id: str
    kind: str
    batch_id: int
    outcome: str
    participant_id: str | None
    where: str
    key: str
    invoice_number: str | None = None
    invoice_date: date | None = None
    dealer_id: str | None = None
    lines: tuple[_Line, ...] = ()
    hotel_code: str | None = None
    confirmation_number: str | None = None
    check_in: date | None = None
    check_out: date | None = None
    qualifying_revenue: Decimal | None = None
    member_name: str | None = None
    currency: str | None = None
    _provenance: Provenance | None = None

    @property
    def provenance(self) -> Provenance:
        """Where the claim came from (read when a problem names it)."""
        if self._provenance is None:
            self._provenance = Provenance.model_validate_json(self.where)
        return self._provenance


def claim_key(row: ToVerify) -> str:
    """The exact-match key of a claim to verify (`source_key`'s form).

    Raises:
        Odd: a key field not stored as text.
    """
    _, _, kind, _, _, _, invoice, hotel, confirmation = row
    if kind == "sales":
        return normalize_key(stored_text(invoice) or "")
    hotel_code = (stored_text(hotel) or "").upper()
    return f"{hotel_code}|{normalize_key(stored_text(confirmation) or '')}"


def read_claim(row: ToVerify, fields: ClaimFields) -> ClaimRead | None:
    """A claim's compared fields, or None when it must be read as a model."""
    rowid, claim_id, kind, batch_id, outcome, participant, *_ = row
    _, where, invoice, sold, dealer, lines, hotel, confirmation, *stay = fields
    start, end, revenue, name, currency = stay
    if not isinstance(where, str) or kind not in ("sales", "stay"):
        return None
    try:
        claim = ClaimRead(
            int(rowid),  # type: ignore[call-overload]
            str(claim_id),
            str(kind),
            int(batch_id),  # type: ignore[call-overload]
            str(outcome),
            stored_text(participant),
            where,
            claim_key(row),
        )
        if kind == "sales":
            claim.invoice_number = stored_text(invoice)
            claim.invoice_date = _day(sold)
            claim.dealer_id = stored_text(dealer)
            items = json.loads(lines) if isinstance(lines, str) else []
            if not isinstance(items, list):
                return None
            claim.lines = tuple(_line(item) for item in items)
        else:
            claim.hotel_code = stored_text(hotel)
            claim.confirmation_number = stored_text(confirmation)
            claim.check_in = _day(start)
            claim.check_out = _day(end)
            claim.qualifying_revenue = _amount(revenue)
            claim.member_name = stored_text(name)
            claim.currency = stored_text(currency)
    except Odd:
        return None
    return claim


class SaleLine(NamedTuple):
    """A source sales line's compared fields (`SaleSource`)."""

    invoice_number: str
    invoice_date: date
    dealer_id: str
    sku: str
    quantity: int
    amount: Decimal
    serial_numbers: tuple[str, ...]


class StayRead(NamedTuple):
    """A hotel stay record's compared fields (`StaySource`)."""

    confirmation_number: str
    guest_name: str
    arrival: date
    departure: date
    room_revenue: Decimal
    booking_channel: str | None
    currency: str


def _strings(*values: object) -> tuple[str, ...]:
    for value in values:
        if value.__class__ is not str:
            raise Odd
    return values  # type: ignore[return-value]


def one_invoice(rows: list[tuple[object, ...]]) -> list[tuple[int, SaleLine]] | None:
    """The lines of the one invoice a sales claim names; None when several
    invoices (or dealers) share its key, or a row is odd."""
    sales = []
    for rid, kind, *fields, quantity, amount, serials in rows:
        if kind != "sales" or quantity.__class__ is not int:
            return None
        number, sold, dealer, sku, total = _strings(*fields, amount)
        items = json.loads(serials) if serials.__class__ is str else []
        record = SaleLine(
            number,
            date.fromisoformat(sold),
            dealer,
            sku,
            quantity,
            Decimal(total),
            _strings(*items),
        )
        sales.append((rid, record))
    if len(sales) > 1 and (
        len({normalize_key(r.invoice_number) for _, r in sales}) > 1
        or len({r.dealer_id.upper() for _, r in sales}) > 1
    ):
        return None
    return sales  # type: ignore[return-value]


def one_stay(rows: list[tuple[object, ...]]) -> tuple[int, StayRead] | None:
    """The one stay a stay claim names; None when several share its key."""
    if len(rows) != 1 or rows[0][1] != "stay":
        return None
    rid, _, _, confirmation, guest, start, end, revenue, channel, currency = rows[0]
    confirmation, guest, start, end, revenue, currency = _strings(
        confirmation, guest, start, end, revenue, currency
    )
    if channel is not None and not isinstance(channel, str):
        return None
    stay = StayRead(
        confirmation,
        guest,
        date.fromisoformat(start),
        date.fromisoformat(end),
        Decimal(revenue),
        channel,
        currency,
    )
    return int(rid), stay  # type: ignore[call-overload]


_JSON_BOOL = {True: "true", False: "false"}


def details_json(verification: Verification) -> str:
    """A result's checks and problems as the reference records them
    (``json.dumps``), each check written directly: a fifth of the time."""
    checks = ", ".join(
        f'{{"field": {_quoted(c.field)}, "claimed": {_quoted(c.claimed)}, '
        f'"source": {_quoted(c.source)}, "ok": {_JSON_BOOL[c.ok]}, '
        f'"affects_award": {_JSON_BOOL[c.affects_award]}, "note": {_quoted(c.note)}}}'
        for c in verification.checks
    )
    problems = json.dumps([p.model_dump(mode="json") for p in verification.problems])
    return f'{{"checks": [{checks}], "problems": {problems}}}'
