"""What a claim's verification knew of the store beyond the claim itself.

A check asks the store about other claims: the member's other stays (and
which of them it leaves out as duplicate or rejected), the claims already
matched to a source record, the units other claims (accepted or in
review) took of an invoice line, the earlier claim of a serial number. Those
answers move as later runs close, match or supersede other claims, so the
check records the ones it got (`Knew`, stored with its result as
``verifications.knew``) and a replay under the same rules gets them again,
instead of the store's answers now: a replay shows what the rules or the
code changed, never what later runs did (`claimflow.replay`).

Contract: `Knew.to_json` and `Knew.from_json` round-trip, but for the
parts left out of the text: empty ones, and serials no claim held.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

#: Another claim matched to a source record: (claim, participant, result).
OtherMatch = tuple[str, str | None, str]
#: Another claim (accepted or in review) of an invoice line: (claim, units
#: of its SKU).
OtherUnits = tuple[str, int]


@dataclass
class Knew:
    """The store's answers one check got.

    Attributes:
        left_out: the member's other claims left out of the stays (duplicate
            or rejected then).
        matched: source record id -> the other claims matched to it then.
        serials: serial number -> the earlier batch's claim holding it then
            (None: none; not stored, as a later answer is None too).
        units: source record id (an invoice line) -> the other accepted (or in review)
            claims matched to it before, with the units each claimed of its
            SKU then (stored empty too: such a claim may be accepted later).
    """

    left_out: set[str] = field(default_factory=set)
    matched: dict[int, list[OtherMatch]] = field(default_factory=dict)
    serials: dict[str, str | None] = field(default_factory=dict)
    units: dict[int, list[OtherUnits]] = field(default_factory=dict)

    def to_json(self) -> str:
        """As stored: ``{}`` when the check asked nothing.

        Example: ``Knew(left_out={"c2"}).to_json() == '{"left_out": ["c2"]}'``
        """
        out: dict[str, object] = {}
        if self.left_out:
            out["left_out"] = sorted(self.left_out)
        if self.matched:
            out["matched"] = {str(k): [list(m) for m in v] for k, v in self.matched.items()}
        # A serial no earlier claim held stays so: an earlier batch gains no
        # claim, and a superseded one is never in force again.
        serials = {k: v for k, v in self.serials.items() if v is not None}
        if serials:
            out["serials"] = serials
        if self.units:
            out["units"] = {str(k): [list(u) for u in v] for k, v in self.units.items()}
        return json.dumps(out, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Knew:
        """Read back what `to_json` wrote.

        Example: ``Knew.from_json('{"left_out": ["c2"]}').left_out == {"c2"}``
        """
        data = json.loads(text)
        return cls(
            set(data.get("left_out", ())),
            {
                int(k): [(str(c), p, str(r)) for c, p, r in v]
                for k, v in data.get("matched", {}).items()
            },
            dict(data.get("serials", {})),
            {
                int(k): [(str(c), int(n)) for c, n in v]
                for k, v in data.get("units", {}).items()
            },
        )
