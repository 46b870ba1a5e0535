"""claimflow: parse, validate, deduplicate, verify and award loyalty claims.

The public API is what ``__all__`` lists; everything else may move. Every
stage the command line offers is here, with one calling convention (see
`claimflow.api`): what it works on, then the client (resolved, a file, or a
key in ``CLAIMFLOW_CLIENTS``), then the store, then keyword-only options
(``at=``/``as_of=``, default now, naive times in the desk's zone;
``operator=``, default ``CLAIMFLOW_OPERATOR`` else the login name). Results
have ``to_dict()``. ``__version__`` is the installed distribution's version.

Example:
    >>> import claimflow
    >>> client = claimflow.load_client("samples/clients/acme-tools.yaml")
    >>> result = claimflow.check(["samples/acme-tools/claims/october.csv"], client)
    >>> result.records == sum(result.outcomes.values())
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the real imports, for type checkers and readers
    from claimflow.accounts.adjust import Adjustment
    from claimflow.accounts.cases import Case
    from claimflow.accounts.discrepancies import PartnerDiscrepancy
    from claimflow.accounts.figures import (
        CaseFigures,
        CaseGroup,
    )
    from claimflow.accounts.merge import (
        AccountError,
        MergeResult,
    )
    from claimflow.accounts.partners import Transfer
    from claimflow.accounts.reconcile import Reconciliation
    from claimflow.api.accounts import (
        approve_adjustment,
        case_report,
        close_discrepancy,
        list_adjustments,
        list_cases,
        list_discrepancies,
        merge_accounts,
        open_case,
        reconcile_statement,
        record_case_event,
        request_adjustment,
        transfer_points,
        unmerge_accounts,
    )
    from claimflow.api.claims import (
        EntryCheckImport,
        EventRecorded,
        FieldSample,
        ParticipantsImport,
        ReviewFile,
        SourceImport,
        adjudicate_keyings,
        apply_review,
        compare_keyings,
        dedupe_claims,
        dedupe_participants,
        import_entry_checks,
        import_participants,
        import_source,
        read_share,
        record_event,
        sample_fields,
        verify_claims,
        write_claim_review,
        write_field_sample,
    )
    from claimflow.api.common import (
        ClientLike,
        client_file,
        default_operator,
        instant,
        received_instant,
        resolve_client,
    )
    from claimflow.api.notices import (
        notify,
        write_batch_notices,
        write_ingest_notices,
        write_notice_emails,
        write_stage_notices,
    )
    from claimflow.api.points import (
        Expiry,
        Explanation,
        Redemption,
        Reversal,
        award_claims,
        balance,
        expire_points,
        explain_award,
        redeem,
        reverse_claim,
    )
    from claimflow.api.reports import (
        CaseQueue,
        Export,
        Story,
        WorkQueue,
        build_report,
        case_queue,
        claim_story,
        export_rows,
        replay_claims,
        run_golden,
        show_report,
        work_queue,
        write_participant_review,
        write_report,
    )
    from claimflow.api.review import ReviewDecision, decide_claim
    from claimflow.api.samples import SamplesCopied, copy_samples
    from claimflow.award.ledger import (
        Balance,
        LedgerError,
    )
    from claimflow.award.run import AwardRunResult
    from claimflow.codes import (
        Category,
        Outcome,
        ReasonCode,
    )
    from claimflow.config import (
        ClientConfig,
        ResolvedClient,
        load_client,
        resolve,
    )
    from claimflow.dedupe.claims import ClaimDedupeResult
    from claimflow.dedupe.result import DedupeResult
    from claimflow.dedupe.review import ReviewApplied
    from claimflow.errors import (
        AmbiguousTime,
        ClaimflowError,
        ClaimNotFound,
        ConfigError,
        FutureTime,
        MissingExtra,
        StoreBusy,
        StoreError,
        UnreadableInput,
    )
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
    from claimflow.output import (
        RowFormat,
        row_format,
        rows_text,
        strict_json,
        write_rows,
        write_rows_file,
    )
    from claimflow.parse import (
        open_file,
        read_file,
    )
    from claimflow.pipeline import (
        check,
        ingest,
    )
    from claimflow.replay import ReplayResult
    from claimflow.report import render_summary
    from claimflow.report.replay import (
        render_replay,
        write_replay_changes,
    )
    from claimflow.report.sla import Report
    from claimflow.results import (
        BatchResult,
        FileResult,
    )
    from claimflow.schema_docs import client_schema
    from claimflow.shown import format_points, points_word
    from claimflow.sla.events import EVENTS
    from claimflow.store import Store
    from claimflow.store.copy import (
        CopyReport,
        copy_store,
    )
    from claimflow.validate import (
        Notice,
        render_notices,
        validate_chunk,
    )
    from claimflow.validate.notices import NoticeItem
    from claimflow.values import DateOrder
    from claimflow.verify.double_entry import (
        Adjudication,
        Difference,
    )
    from claimflow.verify.run import VerifyResult

    #: The installed distribution's version (``importlib.metadata``).
    __version__: str

__all__ = [
    "AccountError",
    "Adjudication",
    "Adjustment",
    "AmbiguousTime",
    "AwardRunResult",
    "Balance",
    "BatchResult",
    "Case",
    "CaseFigures",
    "CaseGroup",
    "CaseQueue",
    "Category",
    "ClaimDedupeResult",
    "ClaimLine",
    "ClaimNotFound",
    "ClaimflowError",
    "ClientConfig",
    "ClientLike",
    "ConfigError",
    "CopyReport",
    "DateOrder",
    "Decision",
    "DedupeResult",
    "Deficiency",
    "Difference",
    "EVENTS",
    "EntryCheckImport",
    "EventRecorded",
    "Expiry",
    "Explanation",
    "Export",
    "FieldSample",
    "FileResult",
    "FutureTime",
    "LedgerError",
    "MergeResult",
    "MissingExtra",
    "Notice",
    "NoticeItem",
    "Outcome",
    "Participant",
    "ParticipantFacts",
    "ParticipantsImport",
    "PartnerDiscrepancy",
    "Problem",
    "Provenance",
    "RawRecord",
    "ReasonCode",
    "Reconciliation",
    "Redemption",
    "ReplayResult",
    "Report",
    "ResolvedClient",
    "Reversal",
    "ReviewApplied",
    "ReviewDecision",
    "ReviewFile",
    "RowFormat",
    "SaleRecord",
    "SalesClaim",
    "SamplesCopied",
    "SourceImport",
    "StayClaim",
    "StayRecord",
    "Store",
    "StoreBusy",
    "StoreError",
    "Story",
    "Transfer",
    "UnreadableInput",
    "VerifyResult",
    "WorkQueue",
    "adjudicate_keyings",
    "apply_review",
    "approve_adjustment",
    "award_claims",
    "balance",
    "build_report",
    "case_queue",
    "case_report",
    "check",
    "claim_story",
    "client_file",
    "client_schema",
    "close_discrepancy",
    "compare_keyings",
    "copy_samples",
    "copy_store",
    "decide_claim",
    "dedupe_claims",
    "dedupe_participants",
    "default_operator",
    "expire_points",
    "explain_award",
    "export_rows",
    "format_points",
    "import_entry_checks",
    "import_participants",
    "import_source",
    "ingest",
    "instant",
    "list_adjustments",
    "list_cases",
    "list_discrepancies",
    "load_client",
    "merge_accounts",
    "notify",
    "open_case",
    "open_file",
    "points_word",
    "read_file",
    "read_share",
    "received_instant",
    "reconcile_statement",
    "record_case_event",
    "record_event",
    "redeem",
    "render_notices",
    "render_replay",
    "render_summary",
    "replay_claims",
    "request_adjustment",
    "resolve",
    "resolve_client",
    "reverse_claim",
    "row_format",
    "rows_text",
    "run_golden",
    "sample_fields",
    "show_report",
    "strict_json",
    "transfer_points",
    "unmerge_accounts",
    "validate_chunk",
    "verify_claims",
    "work_queue",
    "write_batch_notices",
    "write_claim_review",
    "write_field_sample",
    "write_ingest_notices",
    "write_notice_emails",
    "write_participant_review",
    "write_replay_changes",
    "write_report",
    "write_rows",
    "write_rows_file",
    "write_stage_notices",
]

#: Where each public name lives. They are imported on first use (PEP 562), so
#: that ``import claimflow.cli`` (which imports this package first) does not
#: load pandas, pandera, scipy and jinja2 before ``claimflow --help``.
_MODULES = {
    "output": (
        "RowFormat",
        "row_format",
        "rows_text",
        "strict_json",
        "write_rows",
        "write_rows_file",
    ),
    "accounts.adjust": ("Adjustment",),
    "accounts.cases": ("Case",),
    "accounts.discrepancies": ("PartnerDiscrepancy",),
    "accounts.figures": (
        "CaseFigures",
        "CaseGroup",
    ),
    "accounts.merge": (
        "AccountError",
        "MergeResult",
    ),
    "accounts.partners": ("Transfer",),
    "accounts.reconcile": ("Reconciliation",),
    "api.accounts": (
        "approve_adjustment",
        "case_report",
        "close_discrepancy",
        "list_adjustments",
        "list_cases",
        "list_discrepancies",
        "merge_accounts",
        "open_case",
        "reconcile_statement",
        "record_case_event",
        "request_adjustment",
        "transfer_points",
        "unmerge_accounts",
    ),
    "api.common": (
        "ClientLike",
        "client_file",
        "default_operator",
        "instant",
        "received_instant",
        "resolve_client",
    ),
    "api.claims": (
        "EntryCheckImport",
        "EventRecorded",
        "FieldSample",
        "ParticipantsImport",
        "ReviewFile",
        "SourceImport",
        "adjudicate_keyings",
        "apply_review",
        "compare_keyings",
        "dedupe_claims",
        "dedupe_participants",
        "import_entry_checks",
        "import_participants",
        "import_source",
        "record_event",
        "sample_fields",
        "verify_claims",
        "write_claim_review",
        "read_share",
        "write_field_sample",
    ),
    "api.notices": (
        "notify",
        "write_batch_notices",
        "write_ingest_notices",
        "write_notice_emails",
        "write_stage_notices",
    ),
    "api.points": (
        "Explanation",
        "Expiry",
        "Redemption",
        "Reversal",
        "award_claims",
        "balance",
        "expire_points",
        "explain_award",
        "redeem",
        "reverse_claim",
    ),
    "api.review": ("ReviewDecision", "decide_claim"),
    "api.samples": ("SamplesCopied", "copy_samples"),
    "api.reports": (
        "CaseQueue",
        "Export",
        "Story",
        "WorkQueue",
        "build_report",
        "case_queue",
        "claim_story",
        "export_rows",
        "replay_claims",
        "run_golden",
        "show_report",
        "work_queue",
        "write_participant_review",
        "write_report",
    ),
    "award.ledger": (
        "Balance",
        "LedgerError",
    ),
    "award.run": ("AwardRunResult",),
    "codes": (
        "Category",
        "Outcome",
        "ReasonCode",
    ),
    "config": (
        "ClientConfig",
        "ResolvedClient",
        "load_client",
        "resolve",
    ),
    "dedupe.claims": ("ClaimDedupeResult",),
    "dedupe.result": ("DedupeResult",),
    "dedupe.review": ("ReviewApplied",),
    "errors": (
        "AmbiguousTime",
        "ClaimNotFound",
        "ClaimflowError",
        "ConfigError",
        "FutureTime",
        "MissingExtra",
        "StoreBusy",
        "StoreError",
        "UnreadableInput",
    ),
    "models": (
        "ClaimLine",
        "Decision",
        "Deficiency",
        "Participant",
        "ParticipantFacts",
        "Problem",
        "Provenance",
        "RawRecord",
        "SaleRecord",
        "SalesClaim",
        "StayClaim",
        "StayRecord",
    ),
    "parse": (
        "open_file",
        "read_file",
    ),
    "pipeline": (
        "check",
        "ingest",
    ),
    "replay": ("ReplayResult",),
    "report": ("render_summary",),
    "report.replay": (
        "render_replay",
        "write_replay_changes",
    ),
    "report.sla": ("Report",),
    "results": (
        "BatchResult",
        "FileResult",
    ),
    "sla.events": ("EVENTS",),
    "schema_docs": ("client_schema",),
    "shown": ("format_points", "points_word"),
    "store": ("Store",),
    "store.copy": (
        "CopyReport",
        "copy_store",
    ),
    "values": ("DateOrder",),
    "validate.notices": ("NoticeItem",),
    "validate": (
        "Notice",
        "render_notices",
        "validate_chunk",
    ),
    "verify.double_entry": (
        "Adjudication",
        "Difference",
    ),
    "verify.run": ("VerifyResult",),
}
_HOMES = {name: module for module, names in _MODULES.items() for name in names}


def _public(name: str) -> object:
    """A public name (or ``__version__``), imported from its module on first use.

    Example: ``claimflow.load_client`` imports `claimflow.config`, once.
    """
    if name == "__version__":
        from importlib.metadata import version

        value: object = version("claimflow")
    elif name in _HOMES:
        from importlib import import_module

        value = getattr(import_module(f"claimflow.{_HOMES[name]}"), name)
    else:
        raise AttributeError(f"module 'claimflow' has no attribute {name!r}")
    globals()[name] = value  # later look-ups find it without calling this
    return value


def __dir__() -> list[str]:
    """The public names too, before their first use (for completion)."""
    return sorted({*globals(), *__all__, "__version__"})


# Hidden from type checkers, which see the imports above: a module
# ``__getattr__`` would make them accept any misspelt name as well.
if not TYPE_CHECKING:
    __getattr__ = _public
