"""Render every HTML report kind for both sample clients, and shoot each to PNG.

For acme-tools and costa-azul, a demo store is built under the output
folder: a seeded event history (`benchmarks.generate.write_history`, July
to mid-November 2026, with operators' entry checks), escalations on about
3% of the claims, and the client's own sample claim files ingested (their
faults give the top reasons). Each report kind (sla, qa, trends, daily,
weekly, monthly) is then written as HTML as of 2026-11-18 12:00 in Chicago
and shot with headless Chromium at 1280 px wide and the page's full height;
the monthly report is also printed to PDF.

Usage: python benchmarks/report_screenshots.py [--out benchmarks/out/screens]
Needs Chromium (``apt-get install chromium``); without it, only the HTML.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

CLIENTS = {
    "acme-tools": ROOT / "samples/clients/acme-tools.yaml",
    "costa-azul": ROOT / "samples/clients/costa-azul.yaml",
}
KINDS = ("sla", "qa", "trends", "daily", "weekly", "monthly")
NOW = datetime(2026, 11, 18, 18, 0, tzinfo=UTC)
PERIODS = {"sla": "2026-10", "qa": "2026-10", "trends": "2026-Q4", "monthly": "2026-10"}
PROBE = (
    "<script>document.body.setAttribute('data-height', "
    "String(document.documentElement.scrollHeight))</script></body>"
)


def demo_store(path: Path, config: Path) -> None:
    """A store with history, escalations and the sample claims of one client."""
    from benchmarks.generate import write_history
    from claimflow import Store, ingest, load_client
    from claimflow.sla.metrics import calendar_of

    client = load_client(config)
    rng = random.Random(7)
    with Store.open(path) as store:
        with store.transaction():
            write_history(
                store,
                client,
                4000,
                seed=5,
                on_time_share=0.88,
                error_rates={"ana": 0.002, "ben": 0.009, "cy": 0.004},
                start=date(2026, 7, 1),
                days=140,
            )
            cal = calendar_of(client)
            escalations = []
            for claim_id, _batch, event, at, _who in store.claim_events(client.key):
                if event == "received" and rng.random() < 0.03:
                    received = datetime.fromisoformat(at)
                    later = cal.add_business_hours(received, rng.uniform(8, 40))
                    escalations.append(
                        (
                            client.key,
                            claim_id,
                            1,
                            "escalated",
                            later.isoformat(),
                            "desk",
                        )
                    )
            store.add_events(escalations)
        files = sorted((ROOT / "samples" / client.key / "claims").iterdir())
        ingest(files, client, store, processed_at=NOW - timedelta(days=20))


def page_height(page: Path) -> int:
    """The page's full height in Chromium at 1280 px (a probe in a copy)."""
    from claimflow.report.browser import dump_dom

    probe = page.with_suffix(".probe.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE))
    dom = dump_dom(probe)
    probe.unlink()
    found = re.search(r'data-height="(\d+)"', dom)
    return int(found[1]) + 40 if found else 3000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "out" / "screens")
    args = parser.parse_args()
    from claimflow import Store, load_client
    from claimflow.report.browser import print_pdf, screenshot
    from claimflow.report.sla import build_report, write_report

    args.out.mkdir(parents=True, exist_ok=True)
    browser = shutil.which("chromium") is not None
    for key, config in CLIENTS.items():
        db = args.out / f"{key}-demo.db"
        if not db.exists():
            demo_store(db, config)
        client = load_client(config)
        with Store.open(db) as store:
            for kind in KINDS:
                report = build_report(kind, store, client, PERIODS.get(kind), NOW)  # type: ignore[arg-type]
                page = write_report(report, args.out / f"{key}-{kind}.html")
                print(f"{page}: {report.verdict}")
                if not browser:
                    continue
                png = args.out / f"{key}-{kind}.png"
                screenshot(page, png, 1280, page_height(page))
                print(f"  {png} ({png.stat().st_size // 1024} KiB)")
                if kind == "monthly":
                    pdf = print_pdf(page, args.out / f"{key}-{kind}.pdf")
                    print(f"  {pdf} ({pdf.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
