"""Reference programs written as claimflow award settings, from their published rules."""

from __future__ import annotations

import yaml

from claimflow.award import AwardSettings

IHG = """
activity_date: check_out
currency: USD
rounding_mode: floor
rounding_scope: claim
hotels:
  HI-NYC: {brand: holiday_inn}
  SB-BOS: {brand: staybridge}
  CW-ATL: {brand: candlewood}
rule_sets:
  - version: ihg-2026
    effective_from: 2026-01-01
    rules:
      - {id: base, kind: per_currency, points: 10, basis: pro_rata,
         scope: {exclude: {brands: [staybridge, candlewood]}}}
      - {id: base-extended-stay, kind: per_currency, points: 5, basis: pro_rata,
         scope: {brands: [staybridge, candlewood]}}
      - {id: elite, kind: tier_bonus, percent: {silver: 20, gold: 40, platinum: 60, diamond: 100}}
"""

HILTON = """
activity_date: check_out
currency: USD
hotels:
  HX-CHI: {brand: hilton}
  TR-DEN: {brand: tru}
  H2-AUS: {brand: home2}
rule_sets:
  - version: hilton-2026
    effective_from: 2026-01-01
    rules:
      - {id: base, kind: per_currency, points: 10, basis: pro_rata,
         scope: {exclude: {brands: [tru, home2]}}}
      - {id: base-focused, kind: per_currency, points: 5, basis: pro_rata,
         scope: {brands: [tru, home2]}}
      - {id: elite, kind: tier_bonus, percent: {silver: 20, gold: 80, diamond: 100}}
"""

ACCOR = """
activity_date: check_out
currency: EUR
rounding_mode: {mode}
hotels:
  IB-PAR: {{brand: ibis}}
  NV-LYS: {{brand: novotel}}
rule_sets:
  - version: all-2026
    effective_from: 2026-01-01
    eligibility: {{excluded_channels: [OTA, Booking.com, Expedia]}}
    rules:
      - {{id: base, kind: per_currency, points: 25, per: 10, basis: {basis},
          exclude: [taxes], scope: {{exclude: {{brands: [ibis]}}}}}}
      - {{id: base-ibis, kind: per_currency, points: "12.5", per: 10, basis: {basis},
          exclude: [taxes], scope: {{brands: [ibis]}}}}
"""

DEALER = """
activity_date: invoice_date
currency: USD
products:
  DRL-200: {group: cordless}
  IMP-450: {group: cordless}
  SAW-310: {group: corded}
rule_sets:
  - version: dealer-2026
    effective_from: 2026-01-01
    caps: {per_participant: {period: quarter, points: 5000}}
    rules:
      - {id: drill, kind: per_unit, points: 25, scope: {skus: [DRL-200]}}
      - {id: impact, kind: per_unit, points: 40, scope: {skus: [IMP-450]}}
      - {id: saw, kind: per_unit, points: 30, scope: {skus: [SAW-310]}}
      - {id: cordless-double, kind: promotion, multiplier: 2, stacking: stack,
         window: {from: 2026-11-01, to: 2026-12-31}, scope: {groups: [cordless]}}
"""


def settings(text: str, **fill: str) -> AwardSettings:
    """Parse one of the programs above (with ACCOR's placeholders filled)."""
    return AwardSettings.model_validate(
        yaml.safe_load(text.format(**fill) if fill else text)
    )
