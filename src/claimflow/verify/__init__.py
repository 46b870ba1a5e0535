"""Verification: claims against source records, and double entry of keyed data.

Contract: `claimflow.verify.match.verify_claim` is pure over a `Lookup`;
`claimflow.verify.run.verify_claims` verifies the claims that need it and
moves their outcomes, in sets (`claimflow.verify.sets`: matched and
compared with joins, the rest one at a time), with the results of
`verify_claims_per_claim`, the reference that runs `verify_claim` claim by
claim, and checks again the claims in review on a record a keying slip
away once their own record arrives (`claimflow.verify.again`);
`claimflow.verify.units` says when a person's decision would pay
units of an invoice line its verification did not count, and
`claimflow.verify.nights` when it would pay a member's nights that another
accepted (or paid) claim holds;
`claimflow.verify.source` imports distributor and hotel exports;
`claimflow.verify.double_entry` compares two keyings, adjudicates the
differences with an audit trail, and samples fields for QA.

This ``__init__`` imports only what client configuration needs.
"""

from claimflow.verify.settings import VerificationSettings

__all__ = ["VerificationSettings"]
