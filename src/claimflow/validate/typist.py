"""Type a chunk of raw records into claims, each distinct keyed value once.

The claim models type keyed values with ``BeforeValidator``s (`claimflow.values`).
Validating a million records one by one calls those validators from pydantic
for every field of every record, and most columns repeat a few hundred
distinct values (dates, SKUs, prices, quantities). `Typist` calls the very
same validators directly, remembers each (field kind, value) it has typed,
and assembles the frozen model from the typed values without running
validation a second time. A record with anything the fast path cannot
vouch for (a value that fails to type, an unknown field, no received time)
returns None, and the caller validates it with pydantic as before, which
reports every error with its reason code. A property test holds the two
paths equal.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from pydantic import BaseModel, BeforeValidator
from pydantic_core import PydanticCustomError

from claimflow.bidi import trimmed
from claimflow.cjk import narrow
from claimflow.models import ClaimLine, Provenance, RawRecord
from claimflow.values import ValueContext, _to_serials, _to_text

Typer = Callable[[Any, Any], Any]
#: Validators cheap enough that a memo lookup would cost more than the call.
_UNMEMOISED: frozenset[Typer] = frozenset({_to_text, _to_serials})
_set = object.__setattr__


class _Info:
    """The one part of pydantic's ``ValidationInfo`` the validators read."""

    __slots__ = ("context",)

    def __init__(self, context: ValueContext) -> None:
        self.context = context


def _typers(model: type[BaseModel]) -> dict[str, Typer]:
    """Field -> its ``BeforeValidator`` function, for every keyed field."""
    found: dict[str, Typer] = {}
    for name, info in model.model_fields.items():
        for meta in info.metadata:
            if isinstance(meta, BeforeValidator):
                found[name] = meta.func  # type: ignore[assignment]
    return found


def _defaults(model: type[BaseModel]) -> dict[str, Any]:
    """Every field in declaration order (pydantic's order), with its default.

    Required fields hold None until the caller sets them.
    """
    return {
        name: None if info.is_required() else info.default
        for name, info in model.model_fields.items()
    }


class _Unsure(Exception):
    """The fast path cannot vouch for a value: validate the record instead."""


class _Fields:
    """Typing for one model's keyed fields, with a memo per field kind."""

    def __init__(self, model: type[BaseModel], info: _Info) -> None:
        self.model = model
        self.defaults = _defaults(model)
        self.info = info
        memos: dict[Typer, dict[Hashable, Any]] = {}
        self.typers: dict[str, tuple[Typer, dict[Hashable, Any] | None]] = {}
        for name, func in _typers(model).items():
            memo = None if func in _UNMEMOISED else memos.setdefault(func, {})
            self.typers[name] = (func, memo)

    def typed(self, values: dict[str, Any]) -> dict[str, Any]:
        out = dict(self.defaults)
        info = self.info
        typers = self.typers
        for name, value in values.items():
            entry = typers.get(name)
            if entry is None:
                raise _Unsure(name)
            func, memo = entry
            if func is _to_text and value.__class__ is str:
                # what _to_text does, inline: marks at the ends, full width
                text = value.strip() if value.isascii() else trimmed(narrow(value))
                out[name] = text or None
                continue
            if memo is None or value.__class__ is not str:
                out[name] = _call(func, value, info)
                continue
            try:
                out[name] = memo[value]
            except KeyError:
                out[name] = memo[value] = _call(func, value, info)
        return out

    def assemble(self, values: dict[str, Any], given: set[str]) -> Any:
        """The frozen model holding `values` (every field present), unvalidated.

        What ``model_construct`` does, without its per-field bookkeeping;
        `given` are the fields the input set (pydantic's ``model_fields_set``).
        """
        model = self.model
        instance = model.__new__(model)
        _set(instance, "__dict__", values)
        _set(instance, "__pydantic_fields_set__", given)
        _set(instance, "__pydantic_extra__", None)
        _set(instance, "__pydantic_private__", None)
        return instance


def _call(func: Typer, value: Any, info: _Info) -> Any:
    try:
        return func(value, info)
    except PydanticCustomError as exc:
        raise _Unsure(str(exc)) from None


class Typist:
    """Builds claims of one model in a given value context, typing each value once.

    Args:
        model: ``SalesClaim`` or ``StayClaim``.
        context: how values are read.
        with_lines: whether the client's claims have product lines.

    Example: ``Typist(SalesClaim, ctx, True).claim(raw, "id-1", "acme")``
    """

    def __init__(
        self, model: type[BaseModel], context: ValueContext, with_lines: bool
    ) -> None:
        info = _Info(context)
        self.header = _Fields(model, info)
        self.line = _Fields(ClaimLine, info)
        self.with_lines = with_lines
        self.received_at = context.received_at
        self.always = ("id", "client", "provenance", "received_at") + (
            ("lines",) if with_lines else ()
        )

    def claim(self, raw: RawRecord, claim_id: str, client: str) -> Any | None:
        """The typed claim of `raw`, or None when pydantic must look at it."""
        try:
            source = _provenance(raw.source)
            values = self.header.typed(raw.values)
            if values.get("received_at") is None:
                if self.received_at is None:
                    return None
                values["received_at"] = self.received_at
            if self.with_lines:
                lines = []
                for line_source, line_values in raw.lines:
                    typed = self.line.typed(line_values)
                    typed["provenance"] = _provenance(line_source)
                    given = {*line_values, "provenance"}
                    lines.append(self.line.assemble(typed, given))
                values["lines"] = tuple(lines)
        except _Unsure:
            return None
        values["id"] = claim_id
        values["client"] = client
        values["provenance"] = source
        given = {*raw.values, *self.always}
        return self.header.assemble(values, given)


def _provenance(source: Any) -> Provenance:
    if source.__class__ is not Provenance:
        raise _Unsure("provenance")
    return source
