"""A client's configuration as written in its file: `ClientConfig`.

The file's keys with their friendly defaults, each section a frozen pydantic
model that refuses unknown keys, and the checks a file must pass on its own
(locales, zones, patterns, cross-references through `claimflow.config_checks`).
`claimflow.config.resolve` turns it into the `ResolvedClient` the stages see;
`claimflow.config` re-exports `ClientConfig`.
"""

from __future__ import annotations

import codecs
import re
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from claimflow.accounts.partner_settings import Partners
from claimflow.accounts.settings import AccountSettings
from claimflow.award.rules import AwardSettings
from claimflow.dedupe.settings import DedupeSettings
from claimflow.fields import KINDS, PEOPLE_COLUMNS
from claimflow.numbers import NumberError, number_format
from claimflow.schema_docs import describe_fields
from claimflow.sla.calendar import CalendarSettings
from claimflow.sla.terms import SlaTerms
from claimflow.verify.settings import VerificationSettings
from claimflow.window import ClaimWindow
from claimflow.words import word_fold

SCHEMA_VERSION = 1


DateOrder = Literal["DMY", "MDY", "YMD"]


class _Section(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_extra=describe_fields
    )


class NoticeSettings(_Section):
    """How deficiency notices are written.

    Attributes:
        sender: the desk that signs the notice.
        reply_to: where the participant sends documents back.
        template_dir: folder of the client's own templates (relative to the
            config file); the bundled ones are used when absent.
    """

    sender: str = "Program Service Desk"
    reply_to: str = "claims@example.com"
    template_dir: str | None = None


class ClientConfig(_Section):
    """A client program's configuration, as written in its file.

    Attributes:
        schema_version: version of this file format (1).
        client: short key of the client program (``acme-tools``).
        name: the program's name for people.
        kind: ``sales`` or ``stay`` claims.
        locale: Babel locale for notices and number formats (``es_ES``).
        language: notice language (``en``, ``es``, ``id``, ``pt``, ``de``, ``fr``).
        date_order: how keyed dates are read: ``DMY``, ``MDY`` or ``YMD``;
            never guessed.
        number_locale: how keyed numbers are written (a Babel locale, or
            ``C`` for ``1234.56``); default: `locale`.
        file_number_locales: file type (``csv``, ``xlsx``, ``json``,
            ``pdf``) -> the number locale its text values are written in,
            for machine-written files (``json: C`` for a portal's JSON).
        decimal_comma: deprecated: must agree with the number locale.
        encoding: the text encoding of the client's CSV files when they are
            not UTF-8 (``cp1253``); default: UTF-8, else cp1252 when plausible.
        yes_words: words read as yes besides the language's own.
        no_words: words read as no besides the language's own.
        currency: the program's currency (ISO 4217).
        timezone: IANA zone of the program desk; naive times are local here.
        columns: canonical field -> extra header aliases.
        participant_columns: participant list and people file column
            (``participant_id``, ``first_name``, ``enrolled_on``...) -> extra
            header aliases (``Vorname``); the client's ``columns`` aliases
            of ``participant_id`` count there too.
        form_fields: PDF form field name -> canonical field.
        required: required canonical fields (default per kind).
        formats: canonical field -> regex the whole value must match.
        serial_formats: SKU (or ``"*"``) -> regex for its serial numbers.
        eligible_skus: SKUs that earn (absent: all).
        eligible_hotels: hotel codes that earn (absent: all).
        excluded_channels: booking channels that never earn (``ota``).
        claim_window_days: activity must be at most this many days before
            the claim was received (``claim_window: {within_days: N}``).
        claim_window: when a claim may be received, counted in the desk's
            days from its activity: ``within_days``, ``within_months``,
            ``within: calendar_year`` (with ``grace_days``), and
            ``not_before_days`` (see `claimflow.window.ClaimWindow`).
        require_proof: an invoice or folio copy must be attached.
        serials_per_unit: each unit needs one serial number.
        notices: notice settings.
        award: earning rules, rounding, caps, ledger policy (see
            `claimflow.award.rules`); absent: the program awards nothing yet.
        sla: service levels (turnaround, first response, error rate...).
        calendar: business week, holidays and closures the SLA counts in.
        verification: matching claims against source records.
        dedupe: participant dedupe thresholds and field levels (see
            `claimflow.dedupe.settings`).
        accounts: point value, adjustment approval limits and case SLA
            terms (see `claimflow.accounts.settings`); absent: no
            adjustments or case figures.
        partners: points-to-miles partners by key (see
            `claimflow.accounts.partner_settings`).
    """

    schema_version: Literal[1] = 1
    client: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")
    name: str
    kind: Literal["sales", "stay"]
    locale: str = "en_US"
    language: Literal["en", "es", "id", "pt", "de", "fr"] = "en"
    date_order: DateOrder
    number_locale: str | None = None
    file_number_locales: dict[Literal["csv", "xlsx", "json", "pdf"], str] = Field(
        default_factory=dict
    )
    decimal_comma: bool | None = None
    encoding: str | None = None
    yes_words: list[str] = Field(default_factory=list)
    no_words: list[str] = Field(default_factory=list)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    timezone: str = "UTC"
    columns: dict[str, list[str]] = Field(default_factory=dict)
    participant_columns: dict[str, list[str]] = Field(default_factory=dict)
    form_fields: dict[str, str] = Field(default_factory=dict)
    required: list[str] | None = None
    formats: dict[str, str] = Field(default_factory=dict)
    serial_formats: dict[str, str] = Field(default_factory=dict)
    eligible_skus: list[str] | None = None
    eligible_hotels: list[str] | None = None
    excluded_channels: list[str] = Field(default_factory=list)
    claim_window_days: int | None = Field(default=None, gt=0)
    claim_window: ClaimWindow | None = None
    require_proof: bool = False
    serials_per_unit: bool = False
    notices: NoticeSettings = Field(default_factory=NoticeSettings)
    award: AwardSettings | None = None
    sla: SlaTerms = Field(default_factory=SlaTerms)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    verification: VerificationSettings = Field(default_factory=VerificationSettings)
    dedupe: DedupeSettings = Field(default_factory=DedupeSettings)
    accounts: AccountSettings | None = None
    partners: Partners = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @field_validator("claim_window")
    @classmethod
    def _one_window(
        cls, value: ClaimWindow | None, info: ValidationInfo
    ) -> ClaimWindow | None:
        days = info.data.get("claim_window_days")
        if value is not None and days is not None:
            raise ValueError(
                f"give claim_window or claim_window_days, not both "
                f"(claim_window_days: {days} is claim_window: {{within_days: {days}}})"
            )
        return value

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        try:
            Locale.parse(value)
        except (UnknownLocaleError, ValueError):
            raise ValueError(f"unknown locale {value!r}") from None
        return value

    @field_validator("number_locale")
    @classmethod
    def _number_locale(cls, value: str | None) -> str | None:
        if value is not None:
            _number_format(value)
        return value

    @field_validator("file_number_locales")
    @classmethod
    def _file_number_locales(cls, value: dict[str, str]) -> dict[str, str]:
        for locale in value.values():
            _number_format(locale)
        return value

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown text encoding {value!r}") from None
        return value

    @field_validator("decimal_comma")
    @classmethod
    def _decimal_comma(cls, value: bool | None, info: ValidationInfo) -> bool | None:
        locale = info.data.get("number_locale") or info.data.get("locale")
        if value is None or locale is None:
            return value
        numbers = number_format(locale)
        if value != (numbers.decimal == ","):
            raise ValueError(
                f"{str(value).lower()} disagrees with the number locale "
                f"{numbers.locale}, which writes {numbers.amount_example}; set "
                f"number_locale (for example {'de_DE' if value else 'en_US'}) "
                "and remove decimal_comma"
            )
        return value

    @field_validator("no_words")
    @classmethod
    def _yes_or_no(cls, value: list[str], info: ValidationInfo) -> list[str]:
        locale = info.data.get("locale")
        yes = {word_fold(w, locale) for w in info.data.get("yes_words", [])}
        overlap = yes & {word_fold(w, locale) for w in value}
        if overlap:
            raise ValueError(f"also in yes_words: {', '.join(sorted(overlap))}")
        return value

    @property
    def language_code(self) -> str:
        """The locale's language (``de`` for ``de_CH``): yes and no words."""
        return Locale.parse(self.locale).language

    @field_validator("formats", "serial_formats")
    @classmethod
    def _regexes(cls, value: dict[str, str]) -> dict[str, str]:
        for key, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{key}: not a valid regex: {exc}") from None
        return value

    @field_validator("award")
    @classmethod
    def _nights_need_stays(
        cls, value: AwardSettings | None, info: ValidationInfo
    ) -> AwardSettings | None:
        if value is None or info.data.get("kind") != "sales":
            return value
        for n, rule_set in enumerate(value.rule_sets):
            for m, rule in enumerate(rule_set.rules):
                if getattr(rule, "unit", "units") == "nights":
                    raise ValueError(
                        f"rule_sets[{n}].rules[{m}] ({rule.id}): unit: nights "
                        "counts nights of stays; this client's claims are sales"
                    )
        return value

    @model_validator(mode="after")
    def _award_skus_eligible(self) -> ClientConfig:
        from claimflow.config_checks import ineligible_skus

        if self.award is not None and self.eligible_skus is not None:
            problems = ineligible_skus(self.award, self.eligible_skus)
            if problems:
                raise ValueError("\n".join(problems))
        return self

    @field_validator("participant_columns")
    @classmethod
    def _people_columns(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name in value:
            if name not in PEOPLE_COLUMNS:
                raise ValueError(
                    f"unknown participant column {name!r}; expected one of "
                    f"{', '.join(sorted(PEOPLE_COLUMNS))}"
                )
        return value

    @field_validator("columns", "required", "formats", "form_fields")
    @classmethod
    def _known_fields(cls, value: Any, info: ValidationInfo) -> Any:
        kind = info.data.get("kind")
        if kind not in KINDS or value is None:
            return value
        known = KINDS[kind].all
        if info.field_name == "form_fields":
            names = [re.sub(r"\[\d+\]$", "", v) for v in value.values()]
        else:
            names = list(value)
        for name in names:
            if name not in known:
                raise ValueError(
                    f"unknown field {name!r} for {kind} claims; "
                    f"expected one of {', '.join(sorted(known))}"
                )
        return value


def _number_format(locale: str) -> None:
    try:
        number_format(locale)
    except NumberError as exc:
        raise ValueError(f"{exc} (a Babel locale such as de_DE, or C)") from None
