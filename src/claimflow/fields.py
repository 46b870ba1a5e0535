"""Canonical field names per claim kind, their types and default header aliases.

Parsers map whatever a file calls a column (``Inv. No``, ``Factura``) to
these names; the validator types values by the kinds listed here. A new
kind of claim is a new entry in `KINDS` plus its model and rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from anyascii import anyascii

FieldType = Literal["text", "date", "datetime", "int", "decimal", "bool", "list"]


@dataclass(frozen=True)
class KindFields:
    """The canonical fields of one claim kind.

    Attributes:
        header: claim-level fields and their types.
        line: per-line fields and their types (empty for single-line kinds).
        aliases: default header aliases per canonical field.
        required: fields required unless the client says otherwise.
    """

    header: dict[str, FieldType]
    line: dict[str, FieldType]
    aliases: dict[str, tuple[str, ...]]
    required: tuple[str, ...]

    @property
    def all(self) -> dict[str, FieldType]:
        """Header and line fields together."""
        return {**self.header, **self.line}


_COMMON: dict[str, FieldType] = {
    "claim_ref": "text",
    "participant_id": "text",
    "received_at": "datetime",
    "channel": "text",
    "keyed_by": "text",
    "proof_attached": "bool",
}

SALES = KindFields(
    header={
        **_COMMON,
        "participant_name": "text",
        "dealer_id": "text",
        "dealer_name": "text",
        "invoice_number": "text",
        "invoice_date": "date",
        "claim_total": "decimal",
    },
    line={
        "sku": "text",
        "quantity": "int",
        "unit_price": "decimal",
        "line_total": "decimal",
        "serial_numbers": "list",
    },
    aliases={
        "claim_ref": ("claim id", "claim no", "form number", "claim reference"),
        "participant_id": ("rep id", "member number", "member id", "participant"),
        "participant_name": ("rep name", "name", "salesperson"),
        "dealer_id": ("dealer", "dealer code", "distributor id"),
        "dealer_name": ("dealer name", "distributor"),
        "invoice_number": ("invoice", "invoice no", "inv no", "invoice #"),
        "invoice_date": ("date of sale", "sale date", "inv date"),
        "claim_total": ("total", "claim amount"),
        "sku": ("product", "product code", "item", "model"),
        "quantity": ("qty", "units"),
        "unit_price": ("price", "unit cost"),
        "line_total": ("amount", "extended price", "line amount"),
        "serial_numbers": ("serial", "serials", "serial no", "serial numbers"),
        "received_at": ("received", "date received"),
        "proof_attached": ("invoice attached", "proof"),
        "keyed_by": ("operator", "entered by"),
    },
    required=(
        "participant_id",
        "invoice_number",
        "invoice_date",
        "sku",
        "quantity",
    ),
)

STAY = KindFields(
    header={
        **_COMMON,
        "member_name": "text",
        "hotel_code": "text",
        "confirmation_number": "text",
        "check_in": "date",
        "check_out": "date",
        "qualifying_revenue": "decimal",
        "taxes": "decimal",
        "fees": "decimal",
        "incidentals": "decimal",
        "currency": "text",
        "rate_code": "text",
        "booking_channel": "text",
        "folio_number": "text",
    },
    line={},
    aliases={
        "claim_ref": ("claim id", "claim no", "form number"),
        "participant_id": ("member number", "member no", "member id"),
        "member_name": ("guest name", "name", "member"),
        "hotel_code": ("hotel", "property", "property code"),
        "confirmation_number": ("confirmation", "conf no", "confirmation #"),
        "check_in": ("arrival", "check in date"),
        "check_out": ("departure", "check out date"),
        "qualifying_revenue": ("room revenue", "revenue", "amount"),
        "rate_code": ("rate", "rate plan"),
        "booking_channel": ("channel booked", "booked via", "source of business"),
        "folio_number": ("folio", "folio no", "bill number"),
        "received_at": ("received", "date received"),
        "proof_attached": ("folio attached", "proof"),
        "keyed_by": ("operator", "entered by"),
    },
    required=(
        "participant_id",
        "hotel_code",
        "confirmation_number",
        "check_in",
        "check_out",
    ),
)

KINDS: dict[str, KindFields] = {"sales": SALES, "stay": STAY}

_NON_ALNUM = re.compile(r"[^0-9a-z#]+")


def ascii_fold(text: str) -> str:
    """Casefolded ASCII of any script, for comparing names and labels.

    Transliterated by anyascii, which covers every script (``Søren`` ->
    ``soren``, ``Иван`` -> ``ivan``, ``王芳`` -> ``wangfang``), so a name is
    never empty after folding, as it was when accents were decomposed and
    the rest dropped. The text people see keeps its own spelling.

    Arabic is folded as its keyers vary it first: vowel signs (harakat)
    and the tatweel stretch are dropped, a hamza or madda on an alef is the
    alef, and a final ى is ي (Egyptian spelling), so ``مُحَمَّد``, ``محـمد`` and
    ``محمد`` are one name, as are ``على`` and ``علي``.

    Example: ``ascii_fold("Søren Ødegård") == "soren odegard"``
    """
    folded = text.casefold()
    if folded.isascii():
        return folded
    return anyascii(folded.translate(_ARABIC_VARIANTS)).casefold()


#: Arabic keying variants of one name (see `ascii_fold`): harakat
#: U+064B..U+065F and the superscript alef U+0670 dropped, tatweel U+0640
#: dropped, أ إ آ ٱ as ا, ى as ي.
_ARABIC_VARIANTS = {
    **dict.fromkeys([*range(0x064B, 0x0660), 0x0670, 0x0640]),
    **dict.fromkeys(map(ord, "أإآٱ"), "ا"),
    ord("ى"): "ي",
}


def normalize_label(label: str) -> str:
    """Fold a header or label for matching: case, accents, spacing, punctuation.

    Args:
        label: a column header or printed label (``"Invoice No."``).

    Returns:
        The folded key (``"invoiceno"``).

    Any script folds to letters (``Номер счёта`` -> ``nomerscheta``), so
    an alias in Cyrillic or Greek is a key of its own, never the empty one.

    Example: ``normalize_label(" Nº de Factura: ") == "nodefactura"``
    """
    return _NON_ALNUM.sub("", ascii_fold(label))


#: The columns of a participant list (``participants import``) and of a
#: people file (``dedupe participants``), with their default header aliases;
#: a client adds its own in ``participant_columns``.
PEOPLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "participant_id": ("member id", "member number", "id"),
    "first_name": ("first", "given name"),
    "last_name": ("last", "surname", "family name"),
    "email": ("e-mail", "email address"),
    "company": ("dealer",),
    "tier": (),
    "status": (),
    "enrolled_on": ("enrolled",),
    "tax_form_on": (),
    "tax_id": (),
    "effective_from": (),
    "date_of_birth": ("dob", "birth date"),
    "phone": ("telephone",),
    "address_line1": ("address",),
    "address_line2": (),
    "city": (),
    "region": (),
    "postcode": ("zip", "postal code"),
    "country": (),
}


def alias_index(*tables: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Folded header alias -> field, each field also named by itself; a later
    table's alias takes an earlier one's over (the client's over defaults).

    Example: ``alias_index({"participant_id": ["Verkäufer-Nr."]})["verkaufernr"]``
    """
    index: dict[str, str] = {}
    for table in tables:
        for name, aliases in table.items():
            for alias in (name, *aliases):
                index[normalize_label(alias)] = name
    return index
