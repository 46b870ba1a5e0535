"""Awards: per-client rule files, an explaining engine, a ledger that posts once.

Contract: `compute_awards` (pure, `claimflow.award.engine`) turns accepted
claims into `Award`s whose lines sum to their points; `award_claims`
(`claimflow.award.run`) streams a client's accepted, not yet awarded claims
out of the store in (activity date, received, id) order, computes them
against the caps already used, and posts them (unless ``preview``) in one
transaction; the ledger functions (`claimflow.award.ledger`: `post_awards`,
`reverse_claim`, `balance`, `redeem`, `expire`) never update or delete.

This package's ``__init__`` imports only the pure parts, so that the client
configuration can use the rule models without importing the store.
"""

from claimflow.award.caps import CapState, period_key
from claimflow.award.engine import (
    compute_award,
    compute_awards,
    round_points,
)
from claimflow.award.rules import AwardSettings, RuleSet

__all__ = [
    "AwardSettings",
    "CapState",
    "RuleSet",
    "compute_award",
    "compute_awards",
    "period_key",
    "round_points",
]
