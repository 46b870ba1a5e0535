"""Validation: record rules (pydantic), batch rules (pandera), reason codes, notices.

Contract: `validate_chunk(raws, client, context, seen)` takes raw records
and returns one `(claim, decision)` pair per record, in order: every input
record ends in exactly one outcome. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from claimflow.codes import Outcome, decide
from claimflow.config import ResolvedClient
from claimflow.keys import normalize_key
from claimflow.models import Claim, Decision, Problem, RawRecord
from claimflow.validate.batch import SeenKeys, batch_problems
from claimflow.validate.notices import Notice, NoticeItem, render_notices
from claimflow.validate.record import RECORD_RULES, Sourcing, build_claim, typist_for
from claimflow.validate.typist import Typist
from claimflow.values import ValueContext, yes_no_words


def validate_chunk(
    raws: Sequence[RawRecord],
    client: ResolvedClient,
    context: ValueContext,
    seen: SeenKeys | None = None,
) -> list[tuple[Claim, Decision]]:
    """Type, check and decide one chunk of raw records.

    Args:
        raws: the records as read.
        client: the resolved client.
        context: how values are read (date order, zone, default received time).
        seen: keys from earlier chunks of the same batch, if any.

    Returns:
        One (claim, decision) per raw record, in input order.

    Example: ``[d.outcome for _, d in validate_chunk(raws, client, ctx)]``
    """
    claims, found = _built(raws, client, context)
    sourcing = [Sourcing(raw, claim.id) for raw, claim in zip(raws, claims, strict=True)]
    index = {claim.id: i for i, claim in enumerate(claims)}
    for problem in batch_problems(claims, sourcing, seen, client, found):
        found[index[problem.record_id]].append(problem)
    accepted = Outcome.ACCEPTED
    return [
        (
            claim,
            Decision.of(
                claim.id,
                decide([p.code for p in problems]) if problems else accepted,
                tuple(problems),
            ),
        )
        for claim, problems in zip(claims, found, strict=True)
    ]


def _built(
    raws: Sequence[RawRecord], client: ResolvedClient, context: ValueContext
) -> tuple[list[Claim], list[list[Problem]]]:
    """Each raw record typed as a claim, with its record problems."""
    claims: list[Claim] = []
    found: list[list[Problem]] = []
    # Values are read in the number locale of the file they came from (a
    # portal's JSON may write 1234.56 for a client whose clerks key 1.234,56).
    typists: dict[str, tuple[ValueContext, Typist]] = {}
    for raw in raws:
        file = raw.source.file
        found_typist = typists.get(file)
        if found_typist is None:
            here = context.for_file(file)
            found_typist = typists[file] = (here, typist_for(client, here))
        here, typist = found_typist
        claim, problems = build_claim(raw, client, here, typist)
        claims.append(claim)
        found.append(problems)
    return claims, found


def record_problems(
    raws: Sequence[RawRecord], client: ResolvedClient, context: ValueContext
) -> list[list[Problem]]:
    """Each raw record's record problems (no batch rules), in order: what the
    batch rules ask of a claim taken as recorded (a pended claim's
    correction later in the batch, `claimflow.validate.pended_rows`).

    Example: ``[p.code for p in record_problems([raw], client, ctx)[0]]``
    """
    return _built(raws, client, context)[1]


def context_for(
    client: ResolvedClient,
    received_at: object = None,
    number_locale: str | None = None,
    clock: datetime | None = None,
) -> ValueContext:
    """The value-reading context of a client (date order, numbers, yes/no, zone).

    `number_locale`: read every number written as text in this locale (a
    batch's own, ``ingest --number-locale``), whatever the client's
    ``number_locale`` and ``file_number_locales`` say. `clock`: the desk's
    clock as the batch is read; a received time after it is pended
    (``received_in_future``).

    Example: ``context_for(client).date_order == "MDY"``
    """
    from claimflow.errors import ConfigError
    from claimflow.numbers import NumberError, number_format

    config = client.config
    numbers = client.numbers
    if number_locale is not None:
        try:
            numbers = number_format(number_locale)
        except NumberError as exc:
            raise ConfigError(f"number locale: {exc}") from None
    yes, no = yes_no_words(
        config.language_code, tuple(config.yes_words), tuple(config.no_words)
    )
    return ValueContext(
        date_order=config.date_order,
        numbers=numbers,
        zone=client.zone,
        received_at=received_at if isinstance(received_at, datetime) else None,
        clock=clock,
        yes=yes,
        no=no,
        file_numbers=()
        if number_locale is not None
        else tuple(sorted(config.file_number_locales.items())),
        currency=config.currency,
        months=config.locale,
        language=config.language_code,
        solar_hijri=client.solar_hijri,
    )


__all__ = [
    "RECORD_RULES",
    "Notice",
    "NoticeItem",
    "SeenKeys",
    "build_claim",
    "context_for",
    "normalize_key",
    "record_problems",
    "render_notices",
    "validate_chunk",
]
