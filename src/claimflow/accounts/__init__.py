"""Member account services: merges, adjustments under approval, service cases.

Contract: each function takes the store, the resolved client and who acts,
runs inside one store transaction, audits what it did, and either does all
of it or raises `AccountError` (one line naming what conflicts) with the
store unchanged.

- `claimflow.accounts.merge`: `merge_accounts` / `unmerge_accounts` move
  a duplicate account's claims, points (lot by lot, with their available
  and expiry dates) and open cases to the survivor as ledger transfers,
  combine the tier histories (`claimflow.accounts.tiers`), and back.
- `claimflow.accounts.merged_claims`: what the award run does with a claim
  keyed under a merged number (credited to the survivor, or pended).
- `claimflow.accounts.adjust`: `request_adjustment` / `approve_adjustment`
  post goodwill and corrections under per-role limits (maker-checker),
  each with its money cost at the client's point value.
- `claimflow.accounts.cases`: `open_case` and its events (contact,
  escalate, assign, link, close).
- `claimflow.accounts.figures`: `case_figures`, the SLA and cost figures of
  cases by owner and category.
- Partner transfers: `claimflow.accounts.partner_settings` is a client's
  ``partners`` section (ratio, bonus, minimum, member-number format);
  `claimflow.accounts.partners` posts points-to-miles transfers;
  `claimflow.accounts.reconcile` matches a partner's credit statement
  (`claimflow.accounts.statement`) to them (`claimflow.accounts.matching`,
  pure) and opens a discrepancy for each fault (SQL in
  `claimflow.store.partners`); `claimflow.accounts.discrepancies` lists
  them and closes one with the adjustment or transfer that settled it.

The package imports nothing heavy at load: `claimflow.config` reads its
settings model (`claimflow.accounts.settings`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimflow.accounts.adjust import (
        Adjustment,
        AdjustmentReason,
        approve_adjustment,
        request_adjustment,
    )
    from claimflow.accounts.cases import Case, case_event, open_case
    from claimflow.accounts.figures import CaseFigures, CaseGroup, case_figures
    from claimflow.accounts.merge import (
        AccountError,
        MergeResult,
        merge_accounts,
        unmerge_accounts,
    )

#: Where each name lives; imported on first use, as `claimflow` does.
_HOMES = {
    "Adjustment": "adjust",
    "AdjustmentReason": "adjust",
    "approve_adjustment": "adjust",
    "request_adjustment": "adjust",
    "Case": "cases",
    "case_event": "cases",
    "open_case": "cases",
    "CaseFigures": "figures",
    "CaseGroup": "figures",
    "case_figures": "figures",
    "AccountError": "merge",
    "MergeResult": "merge",
    "merge_accounts": "merge",
    "unmerge_accounts": "merge",
}
__all__ = [
    "AccountError",
    "Adjustment",
    "AdjustmentReason",
    "Case",
    "CaseFigures",
    "CaseGroup",
    "MergeResult",
    "approve_adjustment",
    "case_event",
    "case_figures",
    "merge_accounts",
    "open_case",
    "request_adjustment",
    "unmerge_accounts",
]


def _public(name: str) -> object:
    """A public name, imported from its module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module 'claimflow.accounts' has no attribute {name!r}")
    return getattr(import_module(f"claimflow.accounts.{_HOMES[name]}"), name)


if not TYPE_CHECKING:
    __getattr__ = _public
