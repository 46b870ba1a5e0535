"""Generate realistic claims and participants at any size, from a fixed seed.

Names come from Faker in several locales (en_US, es_ES, id_ID, de_DE, fr_FR,
pt_BR), drawn once into pools and then combined, so a million rows take
seconds, not minutes. Faults are planted at known rates and returned as
ground truth, so later benchmarks (dedupe quality) can score against them.

Usage:
    python benchmarks/generate.py claims 100000 out.csv [--seed 7]
    python benchmarks/generate.py participants 100000 out.csv [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

LOCALES = ("en_US", "es_ES", "id_ID", "de_DE", "fr_FR", "pt_BR")
SKUS = {
    "DRL-200": ("DR", "149.00"),
    "SAW-310": ("SW", "229.00"),
    "GRN-115": ("GR", "89.00"),
    "IMP-450": ("IM", "179.00"),
    "BAT-20V": ("BT", "59.50"),
}
# 400 dealers in eight metro areas: a mid-size manufacturer's program. (Eight
# dealers for a million claims would be 1,400 sales per dealer per day.)
DEALERS = [
    f"D-{c}-{i:02d}"
    for c in ("CHI", "MKE", "IND", "STL", "GRB", "DSM", "MSP", "DET")
    for i in range(1, 51)
]
CLAIM_HEADER = [
    "Claim ID",
    "Rep #",
    "Rep Name",
    "Dealer Code",
    "Invoice No",
    "Invoice Date",
    "Product Code",
    "Qty",
    "Unit Price",
    "Line Amount",
    "Serial Numbers",
    "Received",
]
PARTICIPANT_HEADER = [
    "participant_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "address_line1",
    "city",
    "postcode",
    "country",
]


@dataclass(frozen=True)
class NamePools:
    """First names, last names, cities and streets per locale."""

    first: dict[str, list[str]]
    last: dict[str, list[str]]
    city: dict[str, list[str]]
    street: dict[str, list[str]]


def name_pools(seed: int, size: int = 300) -> NamePools:
    """Draw pools of realistic names per locale from Faker, deterministically."""
    from faker import Faker

    first, last, city, street = {}, {}, {}, {}
    for i, locale in enumerate(LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed * 100 + i)
        first[locale] = [fake.first_name() for _ in range(size)]
        last[locale] = [fake.last_name() for _ in range(size)]
        city[locale] = [fake.city() for _ in range(size // 3)]
        street[locale] = [fake.street_name() for _ in range(size)]
    return NamePools(first, last, city, street)


def claim_rows(
    n: int, seed: int = 7, fault_rate: float = 0.05, offset: int = 0
) -> Iterator[list[str]]:
    """Yield `n` claim rows (one line each) for the acme-tools sample client.

    About `fault_rate` of them carry one planted fault (bad date order, an
    ineligible SKU, a wrong line total, a reused serial, a missing invoice).
    """
    rng = random.Random(seed)
    pools = name_pools(seed)
    reps = []
    for i in range(max(50, n // 40)):
        locale = rng.choice(LOCALES)
        reps.append(
            (
                f"{100000 + i:06d}",
                f"{rng.choice(pools.first[locale])} {rng.choice(pools.last[locale])}",
                rng.choice(DEALERS),
            )
        )
    start = date(2026, 7, 1)
    serial_no = (
        offset * 3
    )  # a later batch's serials and invoices never collide by accident
    for i in range(n):
        rep_id, rep_name, dealer = rng.choice(reps)
        sku = rng.choice(list(SKUS))
        prefix, price = SKUS[sku]
        qty = rng.choice((1, 1, 1, 2, 3))
        sold = start + timedelta(days=rng.randrange(90))
        received = sold + timedelta(days=rng.randrange(1, 30))
        serials = []
        for _ in range(qty):
            serial_no += 1
            serials.append(f"{prefix}{serial_no:08d}")
        total = f"{int(qty) * float(price):.2f}"
        invoice = f"INV-{200000 + offset + i}"
        sold_text = sold.strftime("%m/%d/%Y")
        if rng.random() < fault_rate:
            fault = rng.randrange(5)
            if fault == 0:
                sold_text = sold.strftime("%d/%m/%Y")
            elif fault == 1:
                sku = "LMW-900"
            elif fault == 2:
                total = f"{float(total) + 9:.2f}"
            elif fault == 3 and serial_no > 10:
                serials[0] = f"{prefix}{serial_no - 5:08d}"
            else:
                invoice = ""
        yield [
            f"C-{offset + i + 1}",
            rep_id,
            rep_name,
            dealer,
            invoice,
            sold_text,
            sku,
            str(qty),
            price,
            total,
            " ".join(serials),
            received.isoformat(),
        ]


def participant_rows(n: int, seed: int = 7) -> Iterator[list[str]]:
    """Yield `n` distinct participant rows with realistic names and addresses."""
    rng = random.Random(seed)
    pools = name_pools(seed)
    for i in range(n):
        locale = rng.choice(LOCALES)
        first = rng.choice(pools.first[locale])
        last = rng.choice(pools.last[locale])
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(20000))
        domain = rng.choice(("example.com", "mail.example", "post.example"))
        yield [
            f"P{i + 1:07d}",
            first,
            last,
            born.isoformat(),
            f"{first}.{last}{rng.randrange(100)}@{domain}".lower().replace(" ", ""),
            f"+{rng.randrange(1, 99)} {rng.randrange(10**8, 10**9)}",
            f"{rng.randrange(1, 300)} {rng.choice(pools.street[locale])}",
            rng.choice(pools.city[locale]),
            f"{rng.randrange(10000, 99999)}",
            locale[-2:],
        ]


def write_csv(path: Path, header: list[str], rows: Iterator[list[str]]) -> int:
    """Stream rows to a CSV file; return how many were written.

    Written beside the target and renamed at the end, so that a generator
    that fails halfway leaves no short file for the benchmarks' cache.
    """
    count = 0
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    partial.replace(path)
    return count


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["claims", "participants"])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.kind == "claims":
        count = write_csv(args.out, CLAIM_HEADER, claim_rows(args.n, args.seed))
    else:
        count = write_csv(
            args.out, PARTICIPANT_HEADER, participant_rows(args.n, args.seed)
        )
    print(f"{count:,} {args.kind} written to {args.out}")


if __name__ == "__main__":
    main()


@dataclass(frozen=True)
class HistoryTruth:
    """What a generated history holds, to check reports against."""

    claims: int
    on_time: int
    decided: int
    fields_checked: dict[str, int]
    errors: dict[str, int]


def write_history(
    store: object,
    client: object,
    n: int,
    seed: int = 11,
    on_time_share: float = 0.9,
    error_rates: dict[str, float] | None = None,
    start: date = date(2026, 7, 1),
    days: int = 90,
) -> HistoryTruth:
    """Write a seeded event history (and entry checks) straight into a store.

    Each claim is received in business hours, answered within a day, and
    decided within the turnaround (on time) with probability `on_time_share`,
    else 1-5 business days late; operators' entry checks carry errors at the
    given rates. Returns the exact counts the reports must reproduce.
    """
    import numpy as np

    from claimflow.sla.metrics import calendar_of

    rng = random.Random(seed)
    cal = calendar_of(client)  # type: ignore[arg-type]
    terms = client.config.sla  # type: ignore[attr-defined]
    key = client.key  # type: ignore[attr-defined]
    rates = error_rates or {"ana": 0.002, "ben": 0.01}
    operators = sorted(rates)
    on_time = decided = 0
    events: list[tuple[str, str, int | None, str, str, str]] = []
    first_day = np.datetime64(start)
    business = [
        d for d in (first_day + np.arange(days)) if cal.is_business_day(d.item())
    ]
    for i in range(n):
        day = rng.choice(business).item()
        received = datetime.combine(
            day, time(9 + rng.randrange(6), rng.randrange(60)), tzinfo=cal.zone
        )
        answered = cal.add_business_hours(received, rng.uniform(0.5, 7.5))
        late = rng.random() >= on_time_share
        taken = (
            terms.turnaround_days + rng.randint(1, 5)
            if late
            else rng.randint(0, terms.turnaround_days)
        )
        decided_day = cal.due_date(day, taken)
        decided_at = datetime.combine(decided_day, time(15), tzinfo=cal.zone)
        operator = operators[i % len(operators)]
        cid = f"H{i:07d}"
        events += [
            (key, cid, 1, "received", received.isoformat(), operator),
            (key, cid, 1, "first_response", answered.isoformat(), operator),
            (key, cid, 1, "decided", decided_at.isoformat(), operator),
        ]
        decided += 1
        on_time += not late
        if len(events) >= 30_000:
            store.add_events(events)  # type: ignore[attr-defined]
            events = []
    store.add_events(events)  # type: ignore[attr-defined]
    checked: dict[str, int] = dict.fromkeys(operators, 0)
    errors: dict[str, int] = dict.fromkeys(operators, 0)
    rows = []
    for d in business:
        for operator in operators:
            fields = rng.randrange(400, 800)
            errs = sum(rng.random() < rates[operator] for _ in range(fields))
            checked[operator] += fields
            errors[operator] += errs
            rows.append((key, None, operator, "all", str(d), fields, errs, "generated"))
    store.db.conn.executemany(  # type: ignore[attr-defined]
        "INSERT INTO entry_checks (client, batch_id, operator, field, day, checked, errors, "
        "source) VALUES (?,?,?,?,?,?,?,?)",
        rows,
    )
    return HistoryTruth(n, on_time, decided, checked, errors)


_ACCENTS = str.maketrans("aeiounAEIOUN", "áéíóúñÁÉÍÓÚÑ")


def _corrupt(row: list[str], rng: random.Random) -> list[str]:  # noqa: C901, PLR0912
    """One to three realistic differences between two enrolments of one person."""
    from claimflow.dedupe.normalise import NICKNAMES, fold

    out = row[:]
    kinds = rng.sample(
        [
            "typo",
            "swap",
            "nickname",
            "initial",
            "accents",
            "email",
            "phone",
            "address",
            "dob",
            "missing",
        ],
        rng.randint(1, 3),
    )
    for kind in kinds:
        if kind == "typo":
            at = rng.choice((1, 2))
            name = out[at]
            if len(name) > 3:
                k = rng.randrange(1, len(name) - 1)
                out[at] = name[:k] + rng.choice("aeiourstln") + name[k + 1 :]
        elif kind == "swap":
            out[1], out[2] = out[2], out[1]
        elif kind == "nickname":
            options = [n for n, full in NICKNAMES.items() if full == fold(out[1])]
            if options:
                out[1] = rng.choice(options).title()
        elif kind == "initial":
            out[1] = out[1][:1]
        elif kind == "accents":
            out[1], out[2] = out[1].translate(_ACCENTS), fold(out[2]).upper()
        elif kind == "email":
            local, _, domain = out[4].partition("@")
            out[4] = f"{local.upper()}+promo@{domain.upper()}"
        elif kind == "phone":
            digits = "".join(c for c in out[5] if c.isdigit())
            out[5] = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
        elif kind == "address":
            out[6] = (
                out[6].upper().replace(" STREET", " ST").replace(" AVENUE", " AVE")
                + "."
            )
        elif kind == "dob":
            year, month, day = out[3].split("-")
            if int(day) <= 12 and day != month:
                out[3] = f"{year}-{day}-{month}"
        elif kind == "missing":
            out[rng.choice((4, 5))] = ""
    return out


def participants_with_duplicates(
    n: int, seed: int = 7, duplicate_rate: float = 0.1
) -> tuple[list[list[str]], set[tuple[str, str]]]:
    """`n` participant rows of which about `duplicate_rate` re-enrol someone listed.

    Returns the rows (shuffled) and the true duplicate pairs (ids, sorted).
    """
    rng = random.Random(seed)
    originals = int(n / (1 + duplicate_rate))
    rows = list(participant_rows(originals, seed))
    truth: set[tuple[str, str]] = set()
    for k in range(n - originals):
        base = rows[rng.randrange(originals)]
        duplicate = _corrupt(base, rng)
        duplicate[0] = f"D{k + 1:07d}"
        rows.append(duplicate)
        truth.add(tuple(sorted((base[0], duplicate[0]))))  # type: ignore[arg-type]
    rng.shuffle(rows)
    return rows, truth
