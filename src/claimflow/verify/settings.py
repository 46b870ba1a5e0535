"""A client's ``verification`` section and the source-record fields it maps."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from claimflow.fields import FieldType
from claimflow.numbers import NumberError, number_format
from claimflow.schema_docs import describe_fields

SOURCE_FIELDS: dict[str, dict[str, FieldType]] = {
    "sales": {
        "invoice_number": "text",
        "invoice_date": "date",
        "dealer_id": "text",
        "sku": "text",
        "quantity": "int",
        "amount": "decimal",
        "serial_numbers": "list",
    },
    "stay": {
        "hotel_code": "text",
        "confirmation_number": "text",
        "guest_name": "text",
        "arrival": "date",
        "departure": "date",
        "room_revenue": "decimal",
        "currency": "text",
        "rate_code": "text",
        "booking_channel": "text",
        "folio_number": "text",
    },
}

SOURCE_ALIASES: dict[str, tuple[str, ...]] = {
    "invoice_number": ("invoice", "invoice no", "inv no"),
    "invoice_date": ("date", "invoice dt", "sale date"),
    "dealer_id": ("dealer", "dealer code", "customer"),
    "sku": ("product", "item", "product code"),
    "quantity": ("qty", "units"),
    "amount": ("line total", "extended amount", "net amount"),
    "serial_numbers": ("serials", "serial"),
    "hotel_code": ("hotel", "property", "property code"),
    "confirmation_number": ("confirmation", "conf no", "reservation"),
    "guest_name": ("guest", "name"),
    "arrival": ("arrival date", "check in"),
    "departure": ("departure date", "check out"),
    "room_revenue": ("revenue", "room rev"),
    "rate_code": ("rate", "rate plan"),
    "booking_channel": ("channel", "source of business"),
    "folio_number": ("folio", "folio no"),
}


class VerificationSettings(BaseModel):
    """How claims are checked against source records (distributor sales, folios).

    Attributes:
        required: awards wait for a verified result.
        source_columns: canonical source field -> extra column aliases.
        amount_tolerance: absolute difference allowed in amounts.
        amount_tolerance_pct: relative difference allowed (0.02 = 2%).
        date_tolerance_days: days a claimed date may differ from the source.
        name_threshold: least name similarity (0-1) between claim and folio.
        allow_spouse: a folio in the member's family name is accepted.
        max_key_edits: keying slips tolerated in invoice or confirmation numbers.
        discrepancy_policy: a discrepancy goes to ``review`` or is ``pend``-ed.
        ota_channels: booking channels of online travel agencies (rejected).
        source_date_order: how the source exports write dates (systems write ISO).
        source_number_locale: how the source exports write numbers: ``C``
            (``1234.56``, what systems write) or a Babel locale (``de_DE``).
        source_decimal_comma: deprecated: ``true`` reads the exports in
            ``de_DE`` unless `source_number_locale` says otherwise.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra=describe_fields
    )

    required: bool = False
    source_columns: dict[str, list[str]] = Field(default_factory=dict)
    amount_tolerance: Decimal = Field(default=Decimal("0.01"), ge=0)
    amount_tolerance_pct: Decimal = Field(default=Decimal("0"), ge=0)
    date_tolerance_days: int = Field(default=0, ge=0)
    name_threshold: float = Field(default=0.8, ge=0, le=1)
    allow_spouse: bool = False
    max_key_edits: int = Field(default=2, ge=0, le=4)
    discrepancy_policy: Literal["review", "pend"] = "review"
    source_date_order: Literal["DMY", "MDY", "YMD"] = "YMD"
    source_number_locale: str | None = None
    source_decimal_comma: bool | None = None

    @field_validator("source_number_locale")
    @classmethod
    def _locale(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                number_format(value)
            except NumberError as exc:
                raise ValueError(
                    f"{exc} (a Babel locale such as de_DE, or C)"
                ) from None
        return value

    @property
    def number_locale(self) -> str:
        """The number locale the source exports are read in."""
        if self.source_number_locale is not None:
            return self.source_number_locale
        return "de_DE" if self.source_decimal_comma else "C"

    ota_channels: list[str] = Field(
        default_factory=lambda: ["ota", "booking.com", "expedia", "agoda", "hotels.com"]
    )
