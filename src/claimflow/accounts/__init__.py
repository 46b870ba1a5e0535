"""Member account services: merges, adjustments under approval, service cases.

Contract: each function takes the store, the resolved client and who acts,
runs inside one store transaction, audits what it did, and either does all
of it or raises `AccountError` (one line naming what conflicts) with the
store unchanged.

- `claimflow.accounts.merge`: `merge_accounts` / `unmerge_accounts` move
  a duplicate account's claims, points (lot by lot, with their available
  and expiry dates), open cases and tier history view to the survivor as
  ledger transfers, and back.
- `claimflow.accounts.adjust`: `request_adjustment` / `approve_adjustment`
  post goodwill and corrections under per-role limits (maker-checker),
  each with its money cost at the client's point value.
- `claimflow.accounts.cases`: `open_case` and its events (contact,
  escalate, assign, link, close).
- `claimflow.accounts.figures`: `case_figures`, the SLA and cost figures of
  cases by owner and category.

The package imports nothing heavy at load: `claimflow.config` reads its
settings model (`claimflow.accounts.settings`).
"""
