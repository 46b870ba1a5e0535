"""Électro Provence's claim PDFs, as a French client's trial (trial 23) met them.

The client and the drawing helpers are taken from the trial's generators
(``/tmp/t23/trial/electro-provence.yaml``, ``make_printed.py``,
``make_form.py``), set in Helvetica (a standard font, so no font file is
needed) and without the narrow no-break space it cannot print.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from reportlab.platypus import Table, TableStyle

from claimflow import ClientConfig, ResolvedClient, resolve

HEAD = [
    "Référence produit",
    "Quantité",
    "Prix unitaire",
    "Montant TTC",
    "Numéros de série",
]
LINE = ["MO-120", "3", "10,00", "30,00", "MO000001 MO000002 MO000003"]
GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
    ]
)


def client() -> ResolvedClient:
    """The trial's client: French labels, one line field per column."""
    config = ClientConfig.model_validate(
        {
            "client": "electro-provence",
            "name": "Électro Provence Récompenses",
            "kind": "sales",
            "locale": "fr_FR",
            "language": "fr",
            "date_order": "DMY",
            "currency": "EUR",
            "columns": {
                "claim_ref": ["N° de demande"],
                "participant_id": ["N° adhérent"],
                "participant_name": ["Nom du vendeur"],
                "dealer_id": ["Code magasin"],
                "invoice_number": ["N° de facture"],
                "invoice_date": ["Date de facture"],
                "claim_total": ["Total de la demande"],
                "received_at": ["Reçu le"],
                "sku": ["Référence produit"],
                "quantity": ["Quantité"],
                "unit_price": ["Prix unitaire"],
                "line_total": ["Montant TTC"],
                "serial_numbers": ["Numéros de série"],
            },
        }
    )
    return resolve(config, "electro-provence.yaml")


def labels(ref: str, invoice: str = "F-40412") -> list[tuple[str, str]]:
    """A claim's ``Label : valeur`` lines (French typography: space, colon)."""
    return [
        ("N° de demande", ref),
        ("N° adhérent", "204511"),
        ("Nom du vendeur", "Hélène Lefèvre"),
        ("Code magasin", "MAG-13"),
        ("N° de facture", invoice),
        ("Date de facture", "12/10/2026"),
    ]


def head(c: canvas.Canvas, pairs: Sequence[tuple[str, str]], y: float = 790) -> float:
    """Print the labels from `y` down; return the y under them."""
    c.setFont("Helvetica", 10)
    for label, value in pairs:
        c.drawString(50, y, f"{label} : {value}")
        y -= 16
    return y


def ruled(c: canvas.Canvas, rows: Sequence[Sequence[str]], y: float) -> float:
    """Draw a ruled table with its top 20 pt under `y`; return its bottom."""
    table = Table([list(r) for r in rows])
    table.setStyle(GRID)
    _, height = table.wrapOn(c, 500, 700)
    table.drawOn(c, 50, y - 20 - height)
    return float(y - 20 - height)


def new_canvas(path: Path) -> canvas.Canvas:
    """An A4 canvas writing `path`, byte-stable (``invariant``)."""
    return canvas.Canvas(str(path), pagesize=A4, invariant=1)
