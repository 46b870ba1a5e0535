"""The calling convention of `claimflow.api`: subject, client, store, options.

Trial 35: `explain_award` and `claim_story` took the store before the
client; called as the README says, ``explain_award("IN-101", client,
store)`` failed with an AttributeError deep inside.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import claimflow
from tests.conftest import SAMPLES

ACME = SAMPLES / "clients/acme-tools.yaml"

def _stages() -> Iterator[tuple[str, list[str]]]:
    for name in claimflow.__all__:
        value = getattr(claimflow, name)
        if inspect.isfunction(value):
            yield name, list(inspect.signature(value).parameters)


@pytest.mark.parametrize(
    ("name", "params"),
    [(n, p) for n, p in _stages() if "store" in p and "client" in p],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_the_client_comes_before_the_store(name: str, params: list[str]) -> None:
    assert params.index("client") < params.index("store"), (name, params)
    # and neither is keyword-only: the convention is positional
    signature = inspect.signature(getattr(claimflow, name))
    for each in ("client", "store"):
        assert signature.parameters[each].kind is not inspect.Parameter.KEYWORD_ONLY


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[claimflow.Store]:
    path = tmp_path_factory.mktemp("convention") / "c.db"
    claims = sorted((SAMPLES / "acme-tools/claims").glob("*.csv"))
    with claimflow.Store.open(path) as opened:
        claimflow.ingest(
            claims[:1], ACME, opened, received_at=datetime(2026, 10, 28, tzinfo=UTC)
        )
        yield opened


def _a_claim(store: claimflow.Store) -> str:
    row = store.db.execute("SELECT id FROM claims ORDER BY id").fetchone()
    return str(row[0])


def _said(call: Callable[[], Any]) -> str:
    try:
        return repr(call())
    except claimflow.ClaimflowError as error:
        return f"{type(error).__name__}: {error}"


@pytest.mark.parametrize("stage", ["explain_award", "claim_story"])
def test_client_then_store_and_the_old_order_with_a_warning(
    stage: str, store: claimflow.Store
) -> None:
    function = getattr(claimflow, stage)
    claim = _a_claim(store)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the documented order warns of nothing
        new = _said(lambda: function(claim, ACME, store))
        assert _said(lambda: function(claim, store=store)) == _said(
            lambda: function(claim, None, store)
        )
    with pytest.warns(DeprecationWarning, match=rf"call {stage}\(claim, client, store\)"):
        old = _said(lambda: function(claim, store, ACME))
    assert old == new
    with pytest.warns(DeprecationWarning):
        assert _said(lambda: function(claim, store)) == _said(
            lambda: function(claim, None, store)
        )


@pytest.mark.parametrize("stage", ["explain_award", "claim_story"])
@pytest.mark.parametrize(
    "args",
    [
        ("acme-tools",),  # no store at all
        ("acme-tools", "claims.db"),  # a path is no store
        (42, None),
    ],
    ids=["no-store", "a-path", "a-number"],
)
def test_anything_else_is_a_type_error_naming_the_order(
    stage: str, args: tuple[object, ...], store: claimflow.Store
) -> None:
    function = getattr(claimflow, stage)
    with pytest.raises(TypeError, match=rf"expected {stage}\(claim, client, store\)"):
        function("AC-1001", *args)
    with pytest.raises(TypeError, match="client, store"):
        function("AC-1001", store, store)  # two stores: which is the client?



def test_record_event_client_then_store_and_the_old_keyword_client(
    store: claimflow.Store,
) -> None:
    claim = _a_claim(store)
    at = datetime(2026, 10, 29, 9, 0)  # naive: the client's desk reads it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = claimflow.record_event(claim, "escalated", ACME, store, at=at, operator="t")
    with pytest.warns(DeprecationWarning, match=r"call record_event\(claim, event, client"):
        old = claimflow.record_event(  # type: ignore[call-arg]
            claim, "escalated", store, at=at, operator="t", client=ACME
        )
    assert old == new
    with pytest.warns(DeprecationWarning):  # aware: no client needed
        claimflow.record_event(claim, "escalated", store, at=at.replace(tzinfo=UTC))
    with pytest.raises(TypeError, match="found the client twice"):
        claimflow.record_event(claim, "escalated", ACME, store, client=ACME)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'store'"):
        claimflow.record_event(claim, "escalated", ACME, store=store)  # type: ignore[call-arg]


def test_export_rows_client_then_store_and_the_old_keyword_client(
    store: claimflow.Store, tmp_path: Path
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = claimflow.export_rows("claims", ACME, store, tmp_path / "new.csv")
    with pytest.warns(DeprecationWarning, match=r"call export_rows\(what, client, store\)"):
        old = claimflow.export_rows(  # type: ignore[call-arg]
            "claims", store, tmp_path / "old.csv", client=ACME  # type: ignore[arg-type]
        )
    assert old.to_dict() | {"file": ""} == new.to_dict() | {"file": ""}
    new_rows = (tmp_path / "new.csv").read_text(encoding="utf-8")
    assert (tmp_path / "old.csv").read_text(encoding="utf-8") == new_rows
    with pytest.raises(TypeError, match=r"expected export_rows\(what, client, store"):
        claimflow.export_rows("claims", ACME, store)  # no file to write
