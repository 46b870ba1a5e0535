"""Resolving the arguments every stage shares: the client, the instant, who."""

from __future__ import annotations

import getpass
import os
import warnings
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from claimflow.errors import ConfigError

if TYPE_CHECKING:
    from claimflow.config import ResolvedClient
    from claimflow.shown import Desk
    from claimflow.store import Store

#: What a stage accepts as its client: resolved, a file, or a key.
ClientLike: TypeAlias = "ResolvedClient | str | Path"

#: The environment variables the library and the command line read.
CLIENTS_ENV = "CLAIMFLOW_CLIENTS"
OPERATOR_ENV = "CLAIMFLOW_OPERATOR"
_SUFFIXES = (".yaml", ".yml", ".toml")


def client_file(name: str | Path) -> Path:
    """The configuration file `name` stands for: a file, or a client key.

    A key (``acme-tools``) is looked up as ``<key>.yaml``, ``.yml`` or
    ``.toml`` in the folder ``CLAIMFLOW_CLIENTS`` names.

    Raises:
        ConfigError: neither a file nor a key found there.

    Example: ``client_file("samples/clients/acme-tools.yaml").name == "acme-tools.yaml"``
    """
    path = Path(name)
    if path.is_file():
        return path
    folder = os.environ.get(CLIENTS_ENV)
    if folder and path.name == str(name) and not path.suffix:
        for suffix in _SUFFIXES:
            found = Path(folder) / f"{name}{suffix}"
            if found.is_file():
                return found
        raise ConfigError(
            f"{name}: no such client file, and no {name}.yaml, .yml or .toml in "
            f"{CLIENTS_ENV}={folder}"
        )
    hint = "" if folder else f" (set {CLIENTS_ENV} to look keys up in a folder)"
    raise ConfigError(f"{name}: no such client file{hint}")


def require_batch(store: Store, batch: int | None, client: ResolvedClient) -> None:
    """Refuse a batch number the store does not have for `client` (a typo, or
    another client's batch): a run over it would find nothing and say so as
    if all were well (trial 20: ``award --batch 99`` exited 0).

    Raises:
        StoreError: no such batch, or another client's.

    Example: ``require_batch(store, 3, resolve_client("acme-tools"))``
    """
    if batch is not None:
        store.require_batch(batch, client.key)


def client_then_store(
    stage: str,
    subject: str,
    client: object,
    store: object,
    old: Mapping[str, object] | None = None,
) -> tuple[ClientLike | None, Store]:
    """`client` and `store` as a stage that takes them in that order received
    them, old callers' store-first order included (with a warning).

    `explain_award` and `claim_story` took the store before the client
    (trial 35), against the calling convention; called the documented way
    they failed deep inside with an AttributeError. A store second and a
    client (or nothing) third is the old order: still accepted, with a
    DeprecationWarning naming the new one; so is a store second and the
    client by keyword, in `old` (`record_event` and `export_rows` took
    ``client=`` after the store). Anything else is a TypeError naming the
    expected order.

    Raises:
        TypeError: `store` is no Store, or `client` is no client.

    Example: ``client_then_store("claim_story", "claim", "acme-tools", store)``
    """
    from claimflow.config import ResolvedClient
    from claimflow.store import Store

    expected = f"{stage}({subject}, client, store)"

    def is_client(value: object) -> bool:
        return value is None or isinstance(value, (ResolvedClient, str, Path))

    named = dict(old or {})
    unknown = sorted(set(named) - {"client"})
    if unknown:
        raise TypeError(
            f"{stage}() got an unexpected keyword argument {unknown[0]!r}: "
            f"expected {expected}"
        )
    if named:  # the old order, the client by keyword: (subject, store, client=)
        if not isinstance(client, Store) or store is not None:
            raise TypeError(f"{stage}: expected {expected}, found the client twice")
        store = named["client"]
    if isinstance(store, Store) and is_client(client):
        return client, store  # type: ignore[return-value]  # checked by is_client
    if isinstance(client, Store) and is_client(store):
        warnings.warn(
            f"{stage}({subject}, store, client) is deprecated: call {expected}",
            DeprecationWarning,
            stacklevel=3,
        )
        return store, client  # type: ignore[return-value]  # checked by is_client
    raise TypeError(
        f"{stage}: expected {expected} (client: a ResolvedClient, a file, a key "
        f"or None; store: a Store), found client={type(client).__name__}, "
        f"store={type(store).__name__}"
    )


def resolve_client(client: ClientLike) -> ResolvedClient:
    """A resolved client, from itself, its file, or its key (`client_file`).

    Example: ``resolve_client("samples/clients/acme-tools.yaml").key == "acme-tools"``
    """
    from claimflow.config import ResolvedClient, load_client

    if isinstance(client, ResolvedClient):
        return client
    return load_client(client_file(client))


def client_desk(client: ClientLike | None, key: str) -> Desk:
    """How people read a stored record's figures and times: the desk of
    `client` when given, else of its client `key` looked up in
    ``CLAIMFLOW_CLIENTS``, else en_US and UTC (`claimflow.shown.PLAIN_DESK`).

    Raises:
        ConfigError: `client` was given and cannot be read.

    Example: ``client_desk(None, "acme-tools").zone`` is America/Chicago
    with ``CLAIMFLOW_CLIENTS`` naming the samples' folder.
    """
    from claimflow.shown import PLAIN_DESK

    try:
        return resolve_client(client if client is not None else key).desk
    except ConfigError:
        if client is not None:
            raise
        return PLAIN_DESK


def default_operator() -> str:
    """Who is working: ``CLAIMFLOW_OPERATOR``, else the login name.

    Example: ``default_operator()`` is ``"ann"`` for the login ``ann``.
    """
    named = os.environ.get(OPERATOR_ENV, "").strip()
    if named:
        return named
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a container without a user)
        return "unknown"


def instant(
    value: datetime | date | None, client: ResolvedClient | None = None
) -> datetime:
    """An aware instant: now by default; a date or naive time in the desk's zone.

    A date alone is its first instant (00:00; 01:00 on a day whose clock
    skips midnight); without a client, naive times are UTC. A wall time the
    desk's clock shows twice or never (daylight saving) is refused
    (`claimflow.window.at_desk`): give its offset.

    Raises:
        AmbiguousTime: the naive time is in a DST fold or gap at the desk.

    Example: ``instant(date(2026, 10, 1), client).isoformat()`` is
    ``"2026-10-01T00:00:00-05:00"`` for a desk in Bogotá.
    """
    from claimflow.window import at_desk

    if value is None:
        return datetime.now(UTC)
    if not isinstance(value, date):  # a datetime is a date too
        # a caller's "2026-06-01": said plainly, not an AttributeError
        raise TypeError(f"expected a datetime or a date, found {value!r}")
    zone = client.zone if client is not None else UTC
    if not isinstance(value, datetime):
        # the day's first instant: its 00:00, or where the clock jumps to
        # on a day that skips midnight (Santiago, Beirut: 01:00), never a
        # refusal for a date
        start = datetime(value.year, value.month, value.day, tzinfo=zone)
        return start.astimezone(UTC).astimezone(zone)
    return at_desk(value, zone)


def written_at(
    at: datetime | date | None, client: ResolvedClient | None
) -> datetime:
    """When a write happens (`instant`): now by default; a time later than
    now (beyond `claimflow.window.CLOCK_SKEW`) is refused, as a received
    time is: a posting, decision or case step dated in the future is a
    keying error (trial 24: a library ``redeem(at=2030-01-01)`` posted).

    Raises:
        FutureTime: `at` is later than now.

    Example: ``written_at(None, client)`` is now.
    """
    from claimflow.window import refuse_future

    when = instant(at, client)
    if at is None:
        return when
    zone = client.zone if client is not None else UTC
    return refuse_future(
        when, "at", zone, datetime.now(UTC), "nothing is recorded as done in the future"
    )


def received_instant(
    value: datetime | date, client: ResolvedClient, name: str = "received_at"
) -> datetime:
    """`instant` for a received time given to a command, refused when later
    than now by more than `claimflow.window.CLOCK_SKEW` (a keying error).

    Raises:
        FutureTime: the time is later than now; the message names `name`.

    Example: ``received_instant(date(2026, 10, 1), client, "--at")``
    """
    from claimflow.window import refuse_future

    return refuse_future(instant(value, client), name, client.zone, datetime.now(UTC))
