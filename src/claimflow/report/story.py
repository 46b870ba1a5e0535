"""A claim's whole story on one screen, as a desk reads it on the phone.

`claim_story` gathers what the store knows of one claim, found by its id or
the reference the participant quotes; `render_story` writes it as text:
as received (with where each value came from), outcome and reasons,
duplicates and replacements, verification, award postings, notices sent,
events of its clock, and who did what. The data keeps the stored times
(ISO-8601, UTC); the text shows them in the client's desk zone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, time
from typing import Any

from claimflow.models import source_name
from claimflow.shown import PLAIN_DESK, Desk
from claimflow.store import Store, raw_from_json


def claim_story(store: Store, key: str) -> dict[str, Any]:
    """Everything about the claim `key` (its id or reference), as plain data.

    Raises:
        ClaimNotFound: no claim has that id or reference, or several share it.

    Example: ``claim_story(store, "AC-1001")["claim"]["outcome"]``
    """
    claim_id = store.resolve_claim(key)
    story = store.claim_story(claim_id)
    raw_text = story.pop("raw")
    if raw_text:
        headers = store.raw_headers()
        raw = raw_from_json(raw_text, headers, "")
        names = raw.field_sources
        story["received"] = {
            "where": raw.source.where(),
            "values": {names.get(k, k): _shown(v) for k, v in raw.values.items()},
            "lines": [
                {
                    "where": place.where(),
                    # each line's own source names (a form's sku_2)
                    **{source_name(names, k, n): _shown(v) for k, v in line.items()},
                }
                for n, (place, line) in enumerate(raw.lines, start=1)
            ],
        }
    for row in story["verification"]:
        row["details"] = json.loads(row["details"])
    # the claims it names, as people know them (reference, file and row)
    story["names"] = store.claim_names(
        [claim_id]
        + [row[k] for row in story["matches"] for k in ("claim_id", "original")]
        + [row[k] for row in story["links"] for k in ("claim_id", "supersedes")]
    )
    return story


def _shown(value: Any) -> Any:
    if isinstance(value, date | time):  # a typed Excel cell, shown as it is stored
        return value.isoformat()
    return value if isinstance(value, str | int | None) else str(value)


def _visible(value: Any) -> Any:
    """A value received as text, quoted where plain printing would hide
    part of it: a space at either end or a line break inside (a form field's
    ``'RE-5001 '`` and ``'03.11.2026\\n'`` printed as a bare value and an
    empty line, trial 40)."""
    if isinstance(value, str) and (
        value != value.strip() or any(c.isspace() and c != " " for c in value)
    ):
        return repr(value)
    return value


def render_story(story: dict[str, Any], desk: Desk = PLAIN_DESK) -> str:
    """The story as lines of text (what ``claimflow show`` prints): times in
    the desk's zone (``2026-10-20 09:14 CDT``), points in its locale.

    Example: ``print(render_story(claim_story(store, "AC-1001"), client.desk))``
    """
    claim = story["claim"]
    at = desk.time
    names: dict[str, str] = story.get("names", {})

    def name(claim_id: str) -> str:
        return names.get(claim_id, claim_id)

    out = [
        f"Claim {name(claim['id'])} of {claim['client']}, participant "
        f"{claim['participant_id'] or '(none)'}: {claim['outcome']}",
        f"  received {at(claim['received_at'])} in {claim['file'] or '?'} "
        f"({claim['source']}), batch {claim['batch_id']} by {claim['operator']}",
    ]
    received = story.get("received")
    if received:
        out.append("As received:")
        out += [f"  {k}: {_visible(v)}" for k, v in received["values"].items()]
        for line in received["lines"]:
            where = line.pop("where")
            out.append(
                f"  line ({where}): "
                + ", ".join(f"{k} {_visible(v)}" for k, v in line.items())
            )
    sections: list[tuple[str, str, Callable[[dict[str, Any]], str]]] = [
        ("Reasons", "problems", lambda r: f"{r['code']} ({r['field'] or '-'}): {r['message']}"),
        ("Outcomes", "outcomes", lambda r: f"{at(r['decided_at'])} {r['stage']}: {r['outcome']}"),
        ("Matches", "matches", lambda r: _match(r, name)),
        ("Replaces or replaced by", "links",
         lambda r: f"{name(r['claim_id'])} supersedes {name(r['supersedes'])} "
         f"({at(r['at'])}, {r['actor']})"),
        ("Verification", "verification", lambda r: _verified(r, at)),
        ("Held", "holds",
         lambda r: f"{at(r['held_at'])} {desk.signed(r['points'])} held: "
         f"{r['code']}: {r['message']}"),
        ("Ledger", "postings", lambda r: _posting(r, desk)),
        ("Notices", "notices", lambda r: f"batch {r['batch_id']} to {_to(r)}"),
        ("Clock", "events", lambda r: f"{at(r['at'])} {r['event']} ({r['operator']})"),
        ("Audit", "audit", lambda r: f"{at(r['at'])} {r['actor']}: {r['action']}"),
    ]  # fmt: skip
    for title, key, line in sections:
        if story[key]:
            out.append(f"{title}:")
            out += [f"  {line(row)}" for row in story[key]]
    return "\n".join(out)


def _match(row: dict[str, Any], name: Callable[[str], str]) -> str:
    return (
        f"{name(row['claim_id'])} {row['decision']} of {name(row['original'])}: "
        f"{row['rule']} "
        f"({row['compared']}; {row['code']})"
    )


def _verified(row: dict[str, Any], at: Callable[[str], str]) -> str:
    """One verification run: when, its result, and the codes it gave."""
    codes = dict.fromkeys(p["code"] for p in row["details"].get("problems", []))
    said = f" ({', '.join(codes)})" if codes else ""
    return f"{at(row['verified_at'])}: {row['result']}{said}"


def _to(row: dict[str, Any]) -> str:
    """Who a stored notice went to (that of a claim without a member number
    is stored without one)."""
    return str(row["participant_id"] or "(no member number)")


def _posting(row: dict[str, Any], desk: Desk) -> str:
    text = (
        f"#{row['id']} {desk.time(row['posted_at'])} {row['entry_type']} "
        f"{desk.signed(row['points'])}"
    )
    if row["reverses"]:
        text += f" reversing #{row['reverses']}"
    if row["reason"]:
        text += f": {row['reason']}"
    return text + f" ({row['actor']})"
