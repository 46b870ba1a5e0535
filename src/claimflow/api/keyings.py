"""Public stages for QA of keyed forms: double entry and field samples.

`compare_keyings` lists where two keyings of the same forms differ,
`adjudicate_keyings` applies a person's decisions and writes the reconciled
keying, `sample_fields` draws the fields QA checks by hand (`read_share`
reads its share), written by `write_field_sample`. Each follows the calling
convention of `claimflow.api` and is re-exported by `claimflow.api.claims`
and `claimflow`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimflow.api.common import (
    ClientLike,
    default_operator,
    resolve_client,
    written_at,
)
from claimflow.errors import ClaimflowError

if TYPE_CHECKING:
    from claimflow.store import Store
    from claimflow.verify.double_entry import Adjudication, Difference, SampledField


def compare_keyings(
    first: Path, second: Path, client: ClientLike, *, out: Path | None = None
) -> list[Difference]:
    """Where two keyings of the same forms differ, field by field.

    With `out`, also writes the decisions file (.csv or .xlsx) to adjudicate.

    Example: ``compare_keyings(Path("ana.csv"), Path("ben.csv"), "acme-tools")``
    """
    from claimflow.verify.double_entry import compare, write_decisions

    differences = compare(first, second, resolve_client(client))
    if out is not None:
        write_decisions(differences, out)
    return differences


def adjudicate_keyings(
    decisions: Path,
    keyings: tuple[Path, Path],
    client: ClientLike,
    store: Store,
    *,
    final: Path,
    keyed_by: tuple[str, str] = ("first", "second"),
    at: datetime | None = None,
    operator: str | None = None,
) -> Adjudication:
    """Apply a decisions file: write the reconciled keying, audit corrections.

    Example: ``adjudicate_keyings(Path("d.csv"), (a, b), "acme-tools", store, final=f)``
    """
    from claimflow.verify.double_entry import adjudicate

    resolved = resolve_client(client)
    actor = operator or default_operator()
    if keyed_by[0] == keyed_by[1]:
        raise ClaimflowError(
            f"keyed by {keyed_by[0]} and {keyed_by[1]}: double entry is two "
            "operators' keyings of the same forms; name both"
        )
    if actor in keyed_by:
        raise ClaimflowError(
            f"{actor} keyed one of these keyings: another operator adjudicates "
            "them (four eyes)"
        )
    with store.transaction():
        return adjudicate(
            decisions,
            *keyings,
            resolved,
            store,
            operators=keyed_by,
            actor=actor,
            final=final,
            now=written_at(at, resolved),
        )


@dataclass(frozen=True)
class FieldSample:
    """Keyed fields to audit to show an error rate is within a limit."""

    batch: int
    needed: int
    fields: list[SampledField]
    seed: int

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        picked = [f._asdict() for f in self.fields]
        return {"batch": self.batch, "needed": self.needed, "seed": self.seed,
                "fields": picked}  # fmt: skip


def sample_fields(
    batch: int,
    store: Store,
    *,
    max_error_rate: float,
    confidence: float = 0.95,
    seed: int = 0,
) -> FieldSample:
    """How many keyed fields of a batch to audit, and which (same seed, same fields).

    Raises:
        StoreError: the store has no such batch.

    Example: ``sample_fields(1, store, max_error_rate=0.005).needed == 598``
    """
    from claimflow.verify.double_entry import sample

    # a batch the store lacks was '0 picked', exit 0 (trial 33)
    store.require_batch(batch)
    needed, picked = sample(store, batch, max_error_rate, confidence, seed)
    return FieldSample(batch, needed, picked, seed)


def write_field_sample(sample: FieldSample, out: Path) -> int:
    """Write the sampled fields (claim_id, field, claim) to a .csv or .xlsx file.

    Example: ``write_field_sample(sample_fields(1, store, max_error_rate=0.005), out)``
    """
    from claimflow.report import write_table

    return write_table(
        sample.fields, ["claim_id", "field", "claim"], out, json_ok=True
    )


def read_share(text: str) -> float:
    """A share strictly between 0 and 1, written ``0.5%`` or ``0.005``.

    Raises:
        ValueError: not a number, or not between 0 and 1.

    Example: ``read_share("0.5%") == 0.005``
    """
    from claimflow.numbers import read_percent

    value = read_percent(text)  # its NumberError is a ValueError
    if not 0 < value < 1:
        raise ValueError(f"expected a share between 0 and 1, found {text}")
    return float(value)
