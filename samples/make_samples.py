"""Regenerate the binary and legacy-encoded samples: PDFs, the workbook, the cp1252 CSV.

Run from the project root: ``.venv/bin/python samples/make_samples.py``
(needs the dev tools: reportlab draws the PDFs). The output is deterministic
apart from the PDF creation timestamps reportlab embeds (invariant=1 pins them).

The story: Acme Power Tools pays its dealers' reps per unit sold; Costa Azul
Hotels credits retro-stay claims. Each file carries realistic faults on
purpose; tests/test_samples.py asserts where each one ends.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas
from reportlab.platypus import Table, TableStyle

HERE = Path(__file__).parent
ACME = HERE / "acme-tools"
COSTA = HERE / "costa-azul"


def acme_workbook(path: Path) -> None:
    """Dealer North's monthly sheet: real dates, member numbers with leading zeros."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "October"
    sheet.append(
        [
            "Rep Number",
            "Rep Name",
            "Dealer",
            "Invoice",
            "Invoice Dt",
            "Product",
            "Qty",
            "Price",
            "Amount",
            "Serials",
            "Received",
        ]
    )
    rows = [
        # Keyed as text: the zeros must survive.
        [
            "004512",
            "Hannah Kowalski",
            "D-GRB-05",
            "INV-30311",
            date(2026, 10, 6),
            "DRL-200",
            1,
            149.0,
            149.0,
            "DR10000901",
            datetime(2026, 10, 19, 14, 0),
        ],
        # Keyed as a number shown as 000000: read back as the clerk saw it.
        [
            7781,
            "Luis Ortega",
            "D-GRB-05",
            "INV-30340",
            date(2026, 10, 8),
            "IMP-450",
            2,
            179.0,
            358.0,
            "IM50001200;IM50001201",
            datetime(2026, 10, 19, 14, 5),
        ],
        # Two units, one serial: the second is missing.
        [
            "004512",
            "Hannah Kowalski",
            "D-GRB-05",
            "INV-30362",
            date(2026, 10, 9),
            "SAW-310",
            2,
            229.0,
            458.0,
            "SW20000777",
            datetime(2026, 10, 19, 14, 9),
        ],
    ]
    for row in rows:
        sheet.append(row)
    sheet["A3"].number_format = "000000"
    for cell in sheet["E"][1:]:
        cell.number_format = "mm/dd/yyyy"
    book.save(path)


def acme_fillable(path: Path) -> None:
    """A fillable claim form as a rep fills it in Acrobat: one claim, two lines."""
    c = canvas.Canvas(str(path), pagesize=LETTER, invariant=1)
    c.setFont("Helvetica-Bold", 14)
    c.drawString(72, 740, "Acme Dealer Rewards - Claim Form")
    form = c.acroForm
    fields = [
        ("rep_number", "Rep number", "104876"),
        ("rep_name", "Rep name", "James O'Neill"),
        ("dealer_code", "Dealer code", "D-CHI-01"),
        ("inv_no", "Invoice no", "INV-20460"),
        ("inv_date", "Invoice date", "10/16/2026"),
        ("received", "Received", "2026-10-24"),
        ("sku_1", "Product 1", "GRN-115"),
        ("qty_1", "Qty 1", "1"),
        ("serials_1", "Serials 1", "GR40000410"),
        ("sku_2", "Product 2", "BAT-20V"),
        ("qty_2", "Qty 2", "1"),
        ("serials_2", "Serials 2", "BT30000512"),
    ]
    y = 700
    c.setFont("Helvetica", 10)
    for name, label, value in fields:
        c.drawString(72, y + 5, label)
        form.textfield(name=name, value=value, x=200, y=y, width=200, height=18)
        y -= 28
    c.drawString(72, y + 5, "Invoice attached")
    form.checkbox(name="invoice_attached", x=200, y=y, size=14, checked=True)
    c.showPage()
    c.save()


def _claim_page(
    c: canvas.Canvas,
    title: str,
    labels: list[tuple[str, str]],
    table: list[list[str]] | None,
) -> None:
    c.setFont("Helvetica-Bold", 14)
    c.drawString(72, 740, title)
    c.setFont("Helvetica", 10)
    y = 710
    for label, value in labels:
        c.drawString(72, y, f"{label}: {value}")
        y -= 16
    if table:
        grid = Table(table)
        grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        _, height = grid.wrapOn(c, 460, 400)
        grid.drawOn(c, 72, y - 20 - height)
    c.showPage()


def acme_printed(path: Path) -> None:
    """A dealer's printed claim batch, three claims, one per page (a flat PDF)."""
    c = canvas.Canvas(str(path), pagesize=LETTER, invariant=1)
    head = ["Product Code", "Qty", "Unit Price", "Line Amount", "Serial Numbers"]
    _claim_page(
        c,
        "Acme Dealer Rewards - Claim",
        [
            ("Claim ID", "AC-2001"),
            ("Rep Number", "105540"),
            ("Rep Name", "Emily Nguyen"),
            ("Dealer Code", "D-MKE-02"),
            ("Invoice No", "INV-15601"),
            ("Invoice Date", "10/18/2026"),
            ("Received", "2026-10-27"),
        ],
        [
            head,
            ["DRL-200", "1", "149.00", "149.00", "DR10000610"],
            ["BAT-20V", "2", "59.50", "119.00", "BT30000601 BT30000602"],
        ],
    )
    _claim_page(
        c,
        "Acme Dealer Rewards - Claim",
        [
            ("Claim ID", "AC-2002"),
            ("Rep Number", "1O7301"),
            ("Rep Name", "Tom Becker"),
            ("Dealer Code", "D-STL-04"),
            ("Invoice No", "INV-88019"),
            ("Invoice Date", "10/19/2026"),
            ("Received", "2026-10-27"),
        ],
        [head, ["GRN-115", "1", "89.00", "89.00", "GR40000777"]],
    )
    _claim_page(
        c,
        "Acme Dealer Rewards - Claim",
        [
            ("Claim ID", "AC-2003"),
            ("Rep Number", "104233"),
            ("Rep Name", "Maria Lopez"),
            ("Dealer Code", "D-CHI-01"),
            ("Invoice No", "INV-20555"),
            ("Invoice Date", "10/20/2026"),
            ("Received", "2026-10-27"),
        ],
        [head, ["IMP-450", "0", "179.00", "0.00", ""]],
    )
    c.save()


COSTA_CSV = """\
Referencia;Nº socio;Nombre;Hotel;Confirmación;Llegada;Salida;Importe habitación;Moneda;Tarifa;Canal;Folio;Recibido;Folio adjunto
CA-501;300112457;José Núñez Peña;CAZ-MAD;MD4471902;02/10/2026;05/10/2026;412,50;EUR;BAR;Directo;F-88120;20/10/2026;sí
CA-502;300118820;Begoña Ibáñez;CAZ-BCN;BC5580311;06/10/2026;08/10/2026;298,00;EUR;OTA1;Booking.com;F-77310;20/10/2026;sí
CA-503;300120031;François Dupré;CAZ-VLC;VL3390017;12/10/2026;10/10/2026;185,00;EUR;BAR;Directo;F-66002;21/10/2026;sí
CA-504;300112457;José Núñez Peña;CAZ-SVQ;;09/10/2026;11/10/2026;240,00;EUR;CORP;Directo;F-55019;21/10/2026;sí
CA-505;300131118;Ana María Güell;CAZ-LIS;LS2201984;01/10/2026;03/10/2026;320,00;EUR;BAR;Directo;F-44123;22/10/2026;sí
CA-506;300118820;Begoña Ibáñez;CAZ-MAD;MD4471902;02/10/2026;05/10/2026;412,50;EUR;BAR;Directo;F-88120;22/10/2026;sí
CA-507;300140977;Íñigo Zubiría;CAZ-AGP;AG9001273;15/04/2026;18/04/2026;510,00;EUR;BAR;Directo;F-33470;23/10/2026;sí
CA-508;300150064;Mónica Sáez;CAZ-BCN;BC5591020;14/10/2026;16/10/2026;276,40;EUR;BAR;Directo;F-77402;23/10/2026;no
"""


def costa_csv(path: Path) -> None:
    """The desk's Excel-on-Windows export: cp1252, semicolons, decimal commas."""
    path.write_bytes(COSTA_CSV.encode("cp1252"))


def costa_printed(path: Path) -> None:
    """Two retro-stay claim forms printed from the member portal (Spanish labels)."""
    c = canvas.Canvas(str(path), pagesize=LETTER, invariant=1)
    _claim_page(
        c,
        "Costa Azul Rewards - Solicitud de estancia",
        [
            ("Nº solicitud", "CA-601"),
            ("Nº socio", "300162210"),
            ("Nombre del huésped", "Carmen Ruiz"),
            ("Hotel", "CAZ-VLC"),
            ("Nº confirmación", "VL3398841"),
            ("Fecha de llegada", "11/10/2026"),
            ("Fecha de salida", "13/10/2026"),
            ("Importe", "264,00"),
            ("Moneda", "EUR"),
            ("Canal de reserva", "Web"),
            ("Nº folio", "F-66118"),
            ("Fecha de recepción", "24/10/2026"),
            ("Folio adjunto", "sí"),
        ],
        None,
    )
    _claim_page(
        c,
        "Costa Azul Rewards - Solicitud de estancia",
        [
            ("Nº solicitud", "CA-602"),
            ("Nº socio", "300170045"),
            ("Nombre del huésped", "Pedro Alarcón"),
            ("Hotel", "CAZ-SVQ"),
            ("Nº confirmación", "SV1200458"),
            ("Fecha de llegada", "10/13/2026"),
            ("Fecha de salida", "10/15/2026"),
            ("Importe", "199,00"),
            ("Moneda", "EUR"),
            ("Canal de reserva", "Teléfono"),
            ("Nº folio", "F-55102"),
            ("Fecha de recepción", "24/10/2026"),
            ("Folio adjunto", "sí"),
        ],
        None,
    )
    c.save()


DEALER_SALES = """\
invoice_number,invoice_date,dealer_id,sku,quantity,amount,serial_numbers
INV-20417,2026-10-02,D-CHI-01,DRL-200,2,298.00,DR10000017 DR10000018
INV-20431,2026-10-05,D-CHI-01,SAW-310,1,229.00,SW20000105
INV-20431,2026-10-05,D-CHI-01,BAT-20V,2,119.00,BT30000410 BT30000411
INV-20460,2026-10-16,D-CHI-01,GRN-115,1,89.00,GR40000410
INV-20460,2026-10-16,D-CHI-01,BAT-20V,1,59.50,BT30000512
INV-20502,2026-10-23,D-CHI-01,IMP-450,1,179.00,IM50000931
INV-15590,2026-10-14,D-MKE-02,DRL-200,1,149.00,DR10000019
INV-15601,2026-10-18,D-MKE-02,DRL-200,1,149.00,DR10000610
INV-15601,2026-10-18,D-MKE-02,BAT-20V,2,119.00,BT30000601 BT30000602
INV-77133,2026-10-12,D-IND-03,GRN-115,3,267.00,GR40000301 GR40000302 GR40000303
INV-88004,2026-10-15,D-STL-04,SAW-310,1,229.00,SW20000288
INV-88019,2026-10-19,D-STL-04,GRN-115,1,89.00,GR40000777
INV-30311,2026-10-06,D-GRB-05,DRL-200,1,149.00,DR10000901
INV-30340,2026-10-08,D-GRB-05,IMP-450,2,358.00,IM50001200 IM50001201
INV-30362,2026-10-09,D-GRB-05,SAW-310,2,458.00,SW20000777 SW20000778
"""

STAYS = """\
hotel_code,confirmation_number,guest_name,arrival,departure,room_revenue,currency,rate_code,booking_channel,folio_number
CAZ-MAD,MD4471902,NUNEZ PENA/JOSE MR,2026-10-02,2026-10-05,412.50,EUR,BAR,DIRECT,F-88120
CAZ-BCN,BC5580311,IBANEZ/BEGONA MS,2026-10-06,2026-10-08,298.00,EUR,OTA1,BOOKING.COM,F-77310
CAZ-VLC,VL3390017,DUPRE/FRANCOIS MR,2026-10-10,2026-10-12,185.00,EUR,BAR,DIRECT,F-66002
CAZ-SVQ,SV1190044,NUNEZ PENA/JOSE MR,2026-10-09,2026-10-11,240.00,EUR,CORP,DIRECT,F-55019
CAZ-BCN,BC5591020,SAEZ/MONICA MS,2026-10-14,2026-10-16,276.40,EUR,BAR,DIRECT,F-77402
CAZ-VLC,VL3398841,RUIZ/CARMEN MS,2026-10-11,2026-10-13,264.00,EUR,BAR,WEB,F-66118
CAZ-SVQ,SV1200458,ALARCON/PEDRO MR,2026-10-13,2026-10-15,199.00,EUR,BAR,VOICE,F-55102
"""


DOUBLE_HEADER = [
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
# (claim, column, slip): slips planted in the second keying, made from the first's value.
PLANTED = [
    (3, "Invoice No", "transposition"),
    (7, "Serial Numbers", "O/0 or I/1 swap"),
    (11, "Invoice No", "O/0 or I/1 swap"),
    (15, "Rep #", "dropped character"),
    (5, "Invoice Date", "day/month swap"),
    (23, "Line Amount", "value of unit_price in the wrong field"),
    (27, "Qty", "other"),
    (31, "Serial Numbers", "transposition"),
]
# (claim, column): written differently but equal once typed, so never reported.
SAME = [(9, "Line Amount"), (13, "Invoice Date"), (17, "Qty")]


def _slip(value: str, slip: str, row: list[str]) -> str:
    if slip == "transposition":
        return value[:-2] + value[-1] + value[-2]
    if slip == "O/0 or I/1 swap":
        return (
            value.replace("1", "I", 1)
            if "1" in value[4:]
            else value.replace("0", "O", 1)
        )
    if slip == "dropped character":
        return value[:3] + value[4:]
    if slip == "day/month swap":
        month, day, year = value.split("/")
        return f"{day}/{month}/{year}"
    if slip.startswith("value of unit_price"):
        return row[DOUBLE_HEADER.index("Unit Price")]
    return str(int(value) + 1)


def _same(value: str, column: str) -> str:
    if column == "Invoice Date":
        month, day, year = value.split("/")
        return f"{year}-{month}-{day}"
    return value.removesuffix(".00") if column == "Line Amount" else f"{value}.0"


def double_entry(folder: Path) -> None:
    """Two operators' keyings of the same 50 Acme forms, with slips planted in the second."""
    import json

    names = [
        "Maria Lopez",
        "James O'Neill",
        "Priya Raman",
        "Emily Nguyen",
        "Dwayne Carter",
    ]
    first = []
    for i in range(1, 51):
        quantity = 2 if i in (23, 27) else 1
        first.append(
            [
                f"DE-{i:03d}",
                f"{104200 + i}",
                names[i % 5],
                "D-CHI-01",
                f"INV-2000{i:02d}",
                f"10/{(i % 27) + 1:02d}/2026",
                "DRL-200",
                str(quantity),
                "149.00",
                f"{149 * quantity}.00",
                " ".join(f"DR{(i * 10 + k):08d}" for k in range(quantity)),
                "2026-10-30",
            ]
        )
    second = [row[:] for row in first]
    planted = []
    for claim, column, slip in PLANTED:
        row, at = second[claim - 1], DOUBLE_HEADER.index(column)
        row[at] = _slip(row[at], slip, row)
        planted.append(
            {
                "claim": row[0],
                "column": column,
                "first": first[claim - 1][at],
                "second": row[at],
                "slip": slip,
            }
        )
    for claim, column in SAME:
        row, at = second[claim - 1], DOUBLE_HEADER.index(column)
        row[at] = _same(row[at], column)
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("keying_ana.csv", first), ("keying_ben.csv", second)):
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(DOUBLE_HEADER)
            writer.writerows(rows)
    (folder / "planted.json").write_text(
        json.dumps(planted, indent=2) + "\n", encoding="utf-8"
    )


def main() -> None:
    """Write every generated sample."""
    acme_workbook(ACME / "claims" / "dealer_north.xlsx")
    acme_fillable(ACME / "claims" / "claim_form_fillable.pdf")
    acme_printed(ACME / "claims" / "claims_printed.pdf")
    costa_csv(COSTA / "claims" / "octubre.csv")
    costa_printed(COSTA / "claims" / "solicitudes_portal.pdf")
    (ACME / "source" / "dealer_sales.csv").write_text(DEALER_SALES, encoding="utf-8")
    (COSTA / "source" / "stays.csv").write_text(STAYS, encoding="utf-8")
    double_entry(ACME / "double-entry")
    print("samples written under", HERE)


if __name__ == "__main__":
    main()
