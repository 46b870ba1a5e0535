"""Partial-award notices, and notice wording chosen by the program's kind.

Found by a new-user trial (a sales client): each cap notice began "We have
reviewed 2 claims of yours that we cannot pay as sent", said "Status:
accepted: points awarded", then "- : the promotion's bonus is limited ...
(we read: 285 of 315)" (no field, and points read as a value); and a
deficiency notice to a sales participant said "the points may still arrive
on their own", which is hotel wording.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from claimflow import Store, ingest
from claimflow.award.run import award_claims, partial_award_notices
from claimflow.codes import Outcome
from claimflow.config import ClientConfig, ResolvedClient, resolve
from claimflow.validate.notices import NoticeItem, render_notices

CLIENT = """\
client: frio-sul
name: Frio Sul Incentive
kind: sales
locale: {locale}
language: {language}
date_order: DMY
currency: BRL
claim_window: {{not_before_days: 7, within_days: 60}}
notices: {{sender: Frio Sul Desk, reply_to: incentivo@friosul.example}}
award:
  activity_date: invoice_date
  currency: BRL
  products:
    AC-900: {{group: climate}}
    REF-100: {{group: fridges}}
  rule_sets:
    - version: "2026-S2"
      effective_from: 2026-07-01
      caps:
        budget: {{points: 470, scope: rule_set, period: quarter}}
        promotions: {{per_claim: 120}}
      rules:
        - {{id: ac, kind: per_unit, points: 50, scope: {{groups: [climate]}}}}
        - {{id: fridge, kind: per_unit, points: 100, scope: {{groups: [fridges]}}}}
        - id: promo-ac
          kind: promotion
          multiplier: 2
          stacking: stack
          window: {{from: 2026-10-01, to: 2026-12-31}}
          scope: {{groups: [climate]}}
"""
CLAIMS = """\
Claim ID,Rep ID,Rep Name,Invoice No,Invoice Date,Product Code,Qty,Received
BR-004,10003,Carla Dias,NF-000301,20/10/2026,AC-900,3,2026-10-28T14:00:00-03:00
BR-011,10003,Carla Dias,NF-000302,22/10/2026,REF-100,3,2026-10-29T14:00:00-03:00
"""


def _client(language: str, locale: str) -> ResolvedClient:
    text = CLIENT.format(language=language, locale=locale)
    return resolve(ClientConfig.model_validate(yaml.safe_load(text)))


def _notice_text(tmp_path: Path, client: ResolvedClient) -> str:
    (tmp_path / "claims.csv").write_text(CLAIMS, encoding="utf-8")
    with Store.open(tmp_path / "s.db") as store:
        ingest([tmp_path / "claims.csv"], client, store)
        result = award_claims(store, client, now=datetime(2026, 11, 5, tzinfo=UTC))
    # 3 x 50 = 150, doubled: 150 promotion points, of which 120 paid; then
    # 300 for the fridges of which the budget leaves 470 - 270 = 200.
    assert [(a.desired_points, a.points) for _, a in result.partial] == [
        (300, 270),
        (300, 200),
    ]
    [notice] = partial_award_notices(result, client, date(2026, 11, 5))
    return notice.text


def test_a_partial_award_notice_says_what_was_paid_and_what_limited_it(
    tmp_path: Path,
) -> None:
    text = _notice_text(tmp_path, _client("en", "pt_BR"))
    # an English notice is dated in English (it read "5 de novembro de 2026"
    # and "sold on 20 de out. de 2026"): CLDR has no en_BR, so the
    # international English of en_001, day before month as in Brazil
    assert text == (
        "Frio Sul Incentive\n"
        "5 November 2026\n"
        "\n"
        "Dear Carla Dias (member 10003),\n"
        "\n"
        "We have accepted your 2 claims below. Limits of the program apply to "
        "them, so we have paid part of their points.\n"
        "\n"
        "Claim BR-004, sold on 20 Oct 2026\n"
        "  Accepted: we paid 270 of its 300 points.\n"
        "  - 30 points not paid: the promotion's bonus is limited by its fund "
        "or maximum\n"
        "\n"
        "Claim BR-011, sold on 22 Oct 2026\n"
        "  Accepted: we paid 200 of its 300 points.\n"
        "  - 100 points not paid: limited by the program budget\n"
        "\n"
        "If you have a question about these points, write to "
        "incentivo@friosul.example, quoting the claim reference.\n"
        "\n"
        "Kind regards,\n"
        "Frio Sul Desk\n"
    )


def test_a_partial_award_notice_in_spanish(tmp_path: Path) -> None:
    text = _notice_text(tmp_path, _client("es", "es_ES"))
    assert "Estimado/a Carla Dias (socio 10003):\n" in text
    assert "Hemos aceptado sus 2 solicitudes indicadas abajo." in text
    assert (
        "Solicitud BR-004, vendido el 20 oct 2026\n"
        "  Aceptada: le abonamos 270 de sus 300 puntos.\n"
        "  - 30 puntos no abonados: el bono de la promoción está limitado por "
        "su fondo o su máximo\n"
    ) in text
    assert (
        "  - 100 puntos no abonados: limitado por el presupuesto del programa\n" in text
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_partial_award_notice_has_no_deficiency_wording(
    tmp_path: Path, language: str
) -> None:
    text = _notice_text(tmp_path, _client(language, "pt_BR"))
    for garble in (
        "cannot pay as sent",
        "no podemos abonar tal como",
        "Status:",
        "Estado:",
        "  - : ",
        "we read",
        "leímos",
    ):
        assert garble not in text


def _too_early(kind: str, language: str) -> str:
    text = f"""\
client: c1
name: Program
kind: {kind}
language: {language}
locale: {"en_GB" if language == "en" else "es_ES"}
date_order: DMY
claim_window: {{not_before_days: 7, within_days: 60}}
"""
    client = resolve(ClientConfig.model_validate(yaml.safe_load(text)))
    field = "invoice_date" if kind == "sales" else "check_out"
    item = NoticeItem(
        claim_id="c1",
        participant_id="10003",
        name=None,
        reference="BR-020",
        activity=date(2026, 10, 30),
        amount=None,
        outcome=Outcome.PENDED,
        problems=((field, "too_early", None), (None, "duplicate_claim", None)),
    )
    [notice] = render_notices([item], client, date(2026, 11, 2))
    return notice.text


@pytest.mark.parametrize(
    ("kind", "language", "wanted", "unwanted"),
    [
        (
            "sales",
            "en",
            [
                "  - invoice date: is too recent to claim yet: please claim again "
                "on or after 6 Nov 2026\n",
                "  - this sale was already claimed\n",
            ],
            ["arrive on their own", "stay"],
        ),
        (
            "stay",
            "en",
            [
                "  - departure date: is too recent to claim yet: the points may "
                "still arrive on their own; if they have not, please claim again "
                "on or after 6 Nov 2026\n",
                "  - this stay was already claimed\n",
            ],
            ["sale"],
        ),
        (
            "sales",
            "es",
            [
                "  - fecha de factura: es demasiado reciente para reclamar "
                "todavía: vuelva a reclamar a partir del 6 nov 2026\n",
                "  - esta venta ya se solicitó\n",
            ],
            ["por sí solos", "estancia"],
        ),
    ],
)
def test_notice_wording_follows_the_program_kind(
    kind: str, language: str, wanted: list[str], unwanted: list[str]
) -> None:
    text = _too_early(kind, language)
    for line in wanted:
        assert line in text
    for words in unwanted:
        assert words not in text
    assert "  - : " not in text
