"""The public stages behind every command, with one calling convention.

Contract: each function takes what it works on first (files, a participant,
a claim), then the client, then the store, then keyword-only options::

    stage(subject..., client, store, *, at=None, as_of=None, operator=None, ...)

- ``client`` is a `ResolvedClient`, or a client file, or a client key looked
  up in the folder ``CLAIMFLOW_CLIENTS`` names (`resolve_client`).
- ``store`` is an open `claimflow.Store` (``Store.open(path_or_url)``).
- ``at`` is when a write happens and ``as_of`` the instant a read looks at;
  both default to now. A date or a time without an offset is read in the
  client's desk zone (``calendar.timezone``); a date alone is its 00:00.
- ``operator`` is who does it (the audit log): default ``CLAIMFLOW_OPERATOR``,
  else the login name (`default_operator`).

Each returns a typed result with ``to_dict()`` (what ``--json`` prints). They
are re-exported by `claimflow`; import them from there, since these modules
may move.
"""
