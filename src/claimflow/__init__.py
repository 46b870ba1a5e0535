"""claimflow: parse, validate, deduplicate, verify and award loyalty claims.

The public API is what ``__all__`` lists; everything else may move.

Example:
    >>> import claimflow
    >>> client = claimflow.load_client("samples/clients/acme-tools.yaml")
    >>> result = claimflow.check(["samples/acme-tools/claims/october.csv"], client)
    >>> result.records == sum(result.outcomes.values())
    True
"""

from claimflow.codes import Category, Outcome, ReasonCode
from claimflow.config import ClientConfig, ResolvedClient, load_client, resolve
from claimflow.errors import ClaimflowError, ConfigError, StoreError, UnreadableInput
from claimflow.models import (
    ClaimLine,
    Decision,
    Deficiency,
    Participant,
    ParticipantFacts,
    Problem,
    Provenance,
    RawRecord,
    SaleRecord,
    SalesClaim,
    StayClaim,
    StayRecord,
)
from claimflow.parse import open_file, read_file
from claimflow.pipeline import check, ingest
from claimflow.results import BatchResult, FileResult
from claimflow.store import Store
from claimflow.validate import Notice, render_notices, validate_chunk

__all__ = [
    "BatchResult",
    "Category",
    "ClaimLine",
    "ClaimflowError",
    "ClientConfig",
    "ConfigError",
    "Decision",
    "Deficiency",
    "FileResult",
    "Notice",
    "Outcome",
    "Participant",
    "ParticipantFacts",
    "Problem",
    "Provenance",
    "RawRecord",
    "ReasonCode",
    "ResolvedClient",
    "SaleRecord",
    "SalesClaim",
    "StayClaim",
    "StayRecord",
    "Store",
    "StoreError",
    "UnreadableInput",
    "check",
    "ingest",
    "load_client",
    "open_file",
    "read_file",
    "render_notices",
    "resolve",
    "validate_chunk",
]
