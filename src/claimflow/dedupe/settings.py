"""The ``dedupe`` section of a client configuration: thresholds and field weights.

Example (YAML)::

    dedupe:
      duplicate: 0.95          # probability at or above which people are the same
      review: 0.6              # ... at or above which a person decides
      claims:                  # claim dedupe: day windows and keying slips
        near_days: 3
        invoice_days: 45
        stay_days: 30
      comparisons:             # replace a comparison's method (and parameters)
        email: {method: edit_distance, max_edits: 1}
      estimate: true           # weights estimated from the data (levels: the prior)
      levels:                  # replace a comparison's levels (highest first)
        postcode:
          - {label: exact, at: 1.0, m: 0.9, u: 0.05}
          - {label: different, at: -1, m: 0.1, u: 0.95}

Each comparison (name, dob, email, phone, tax_id, address, postcode, city) scores a
pair from 0 to 1; its levels are score cut-offs, highest first, the last at
-1 catching the rest, each with the Fellegi-Sunter probabilities that the
same person (m) and two different people (u) reach it. Comparisons not
listed keep the defaults in `claimflow.dedupe.people.LEVELS`. The methods
(exact, normalised_exact, edit_distance, jaro_winkler, token_set, date,
numeric, and person_name for names) are described in
`claimflow.dedupe.compare`; a changed method usually wants its levels set too.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from claimflow.dedupe.compare import DEFAULT_METHODS, Method
from claimflow.schema_docs import describe_fields

Comparison = Literal[
    "name", "dob", "email", "phone", "tax_id", "address", "postcode", "city"
]


class Level(BaseModel):
    """One level of a comparison: its lowest score and its m and u probabilities.

    Attributes:
        label: the level's name, shown in explanations (``exact``, ``close``).
        at: the lowest similarity score in this level (-1: the rest).
        m: the chance a true duplicate pair agrees at this level.
        u: the chance two different people agree at this level by chance.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra=describe_fields
    )

    label: str = Field(min_length=1)
    at: float = Field(ge=-1, le=1)
    m: float = Field(gt=0, lt=1)
    u: float = Field(gt=0, lt=1)


class ClaimWindows(BaseModel):
    """How far apart repeated claims may be, and how many keying slips count.

    Attributes:
        near_days: days between invoice dates (or arrivals) within which a
            look-alike invoice or confirmation, or the same rep, SKU and
            quantity, is compared.
        invoice_days: days within which the same invoice and SKU of a
            dealer is compared exactly.
        stay_days: days between arrivals within which a member's stays at a
            hotel are checked for overlap.
        short_key: keys (normalised invoice or confirmation numbers) this
            long or shorter tolerate `slips_short` slips; longer ones
            `slips_long`. One slip on a long key, with the same
            participant and invoice date, is a duplicate; anything more goes
            to review.
        slips_short: keying slips tolerated on a short key.
        slips_long: keying slips tolerated on a longer key.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra=describe_fields
    )

    near_days: int = Field(default=3, ge=0, le=60)
    invoice_days: int = Field(default=45, ge=0, le=366)
    stay_days: int = Field(default=30, ge=1, le=366)
    short_key: int = Field(default=8, ge=1, le=64)
    slips_short: int = Field(default=1, ge=0, le=3)
    slips_long: int = Field(default=2, ge=0, le=3)


class DedupeSettings(BaseModel):
    """Dedupe settings of one client program: participant thresholds, methods
    and levels; claim windows and slip limits (``claims``).

    Attributes:
        duplicate: the match probability at or above which two people are
            the same.
        review: the probability at or above which a pair goes to a person.
        comparisons: field -> how it is compared (method and parameters).
        claims: windows and keying-slip limits for repeated claims.
        levels: field -> its levels, highest first, the last at -1.
        estimate: estimate m, u and term frequencies from the people being
            deduplicated, the levels as the prior (false: the levels' m and
            u as they are).
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra=describe_fields
    )

    duplicate: float = Field(default=0.9, gt=0, le=1)
    review: float = Field(default=0.5, gt=0, le=1)
    comparisons: dict[Comparison, Method] = Field(default_factory=dict)
    claims: ClaimWindows = Field(default_factory=ClaimWindows)
    levels: dict[Comparison, list[Level]] = Field(default_factory=dict)
    estimate: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> DedupeSettings:
        if self.review > self.duplicate:
            raise ValueError("review must not be above duplicate")
        for name, method in self.comparisons.items():
            if method.method == "person_name" and name != "name":
                raise ValueError(f"comparisons.{name}: person_name compares names only")
        for name, levels in self.levels.items():
            cut_offs = [level.at for level in levels]
            if len(levels) < 2 or cut_offs != sorted(cut_offs, reverse=True):
                raise ValueError(
                    f"levels.{name}: expected two or more levels, highest first"
                )
            if cut_offs[-1] != -1:
                raise ValueError(
                    f"levels.{name}: the last level must be at -1 (the rest)"
                )
        return self

    def methods(self) -> dict[str, Method]:
        """The method of every comparison, defaults where not configured."""
        return DEFAULT_METHODS | dict(self.comparisons)

    def table(self) -> dict[str, list[tuple[str, float, float, float]]]:
        """The levels of every comparison, defaults where not configured."""
        from claimflow.dedupe.people import LEVELS

        return LEVELS | {
            name: [(lv.label, lv.at, lv.m, lv.u) for lv in levels]
            for name, levels in self.levels.items()
        }
