"""What verification compares: the fields of claims and source records.

`claimflow.verify.match` compares a claim with its source record through
these protocols, so that the same comparisons run on the typed records
(`SalesClaim`, `SaleRecord`, `StayClaim`, `StayRecord`) one claim at a time
and on the fields `claimflow.verify.sets` reads for a whole set of claims.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

from claimflow.models import Provenance


class Claimant(Protocol):
    """What a problem names: the claim and where it came from."""

    @property
    def id(self) -> str:
        """The claim id."""

    @property
    def provenance(self) -> Provenance:
        """Where the claim came from."""


class LineFields(Protocol):
    """The fields of a claim line that verification compares."""

    @property
    def sku(self) -> str | None:
        """The SKU as claimed."""

    @property
    def quantity(self) -> int | None:
        """Units claimed."""

    @property
    def line_total(self) -> Decimal | None:
        """The line's amount, if keyed."""

    @property
    def serial_numbers(self) -> Sequence[str]:
        """Serials claimed on the line."""


class SaleFields(Claimant, Protocol):
    """The fields of a sales claim that verification compares (`SalesClaim`)."""

    @property
    def invoice_number(self) -> str | None:
        """The invoice as keyed."""

    @property
    def invoice_date(self) -> date | None:
        """The date of sale."""

    @property
    def dealer_id(self) -> str | None:
        """The selling dealer."""

    @property
    def lines(self) -> Sequence[LineFields]:
        """The product lines."""


class SaleSource(Protocol):
    """The fields of a source sales line that claims are compared with."""

    @property
    def invoice_number(self) -> str:
        """The invoice."""

    @property
    def invoice_date(self) -> date:
        """The date of sale."""

    @property
    def dealer_id(self) -> str:
        """The dealer."""

    @property
    def sku(self) -> str:
        """The SKU."""

    @property
    def quantity(self) -> int:
        """Units invoiced."""

    @property
    def amount(self) -> Decimal:
        """The line's amount."""

    @property
    def serial_numbers(self) -> Sequence[str]:
        """Serials shipped on the line."""


class StayFields(Claimant, Protocol):
    """The fields of a stay claim that verification compares (`StayClaim`)."""

    @property
    def participant_id(self) -> str | None:
        """The member."""

    @property
    def member_name(self) -> str | None:
        """The guest name as claimed."""

    @property
    def confirmation_number(self) -> str | None:
        """The confirmation as keyed."""

    @property
    def check_in(self) -> date | None:
        """Arrival as claimed."""

    @property
    def check_out(self) -> date | None:
        """Departure as claimed."""

    @property
    def qualifying_revenue(self) -> Decimal | None:
        """Revenue as claimed."""

    @property
    def currency(self) -> str | None:
        """The revenue's currency as claimed (None: the client's)."""


class StaySource(Protocol):
    """The fields of a hotel's stay record that claims are compared with."""

    @property
    def confirmation_number(self) -> str:
        """The confirmation."""

    @property
    def guest_name(self) -> str:
        """The guest as the folio names them."""

    @property
    def arrival(self) -> date:
        """Arrival."""

    @property
    def departure(self) -> date:
        """Departure."""

    @property
    def room_revenue(self) -> Decimal:
        """Room revenue."""

    @property
    def booking_channel(self) -> str | None:
        """Where it was booked."""

    @property
    def currency(self) -> str:
        """The room revenue's currency."""
