"""Verification: claims against source records, and double entry of keyed data.

Contract: `claimflow.verify.match.verify_claim` is pure over a `Lookup`;
`claimflow.verify.run.verify_claims` runs it over the store and moves
outcomes; `claimflow.verify.source` imports distributor and hotel exports;
`claimflow.verify.double_entry` compares two keyings, adjudicates the
differences with an audit trail, and samples fields for QA.

This ``__init__`` imports only what client configuration needs.
"""

from claimflow.verify.settings import VerificationSettings

__all__ = ["VerificationSettings"]
