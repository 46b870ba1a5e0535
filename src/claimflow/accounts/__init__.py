"""Member account services: partner transfers and their reconciliation.

Contract: `claimflow.accounts.partner_settings` is a client's ``partners``
section (what a transfer earns: ratio, bonus, minimum, member-number
format); `claimflow.accounts.partners` posts points-to-miles transfers to
the ledger; `claimflow.accounts.reconcile` reads a partner's credit
statement (CSV or xlsx: `claimflow.accounts.statement`), matches it to
those transfers (`claimflow.accounts.matching`, pure) and opens a
discrepancy for each fault it finds. The SQL is in `claimflow.store.partners`.

This ``__init__`` imports nothing, so client configuration can import the
settings without the store.
"""
