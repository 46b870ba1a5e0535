"""Client configuration: one YAML or TOML file per client program.

`ClientConfig` is the file as written (friendly defaults, aliases as lists);
`resolve()` turns it into `ResolvedClient` (every default filled in, regexes
compiled, header aliases folded), the only form the stages see (STYLE 12).
Errors name the file and the key path: ``clients/acme.yaml: formats.sku: ...``.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from datetime import tzinfo
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from babel import Locale, UnknownLocaleError
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from claimflow.accounts.partner_settings import Partners
from claimflow.accounts.settings import AccountSettings
from claimflow.award.rules import AwardSettings
from claimflow.dedupe.settings import DedupeSettings
from claimflow.errors import ConfigError
from claimflow.fields import (
    KINDS,
    PEOPLE_COLUMNS,
    KindFields,
    alias_index,
    normalize_label,
)
from claimflow.numbers import NumberError, NumberFormat, number_format
from claimflow.patterns import BoundedPattern
from claimflow.schema_docs import describe_fields
from claimflow.shown import Desk
from claimflow.sla.calendar import CalendarSettings
from claimflow.sla.terms import SlaTerms
from claimflow.verify.settings import VerificationSettings
from claimflow.window import ClaimWindow

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
        yes = {w.casefold() for w in info.data.get("yes_words", [])}
        overlap = yes & {w.casefold() for w in value}
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


class ResolvedClient(BaseModel):
    """A client configuration with every default filled in: what stages see.

    Attributes:
        config: the configuration as written.
        fields: the canonical fields of the client's claim kind.
        header_index: folded header alias -> canonical field.
        form_index: folded PDF field name -> canonical field.
        required: required canonical fields.
        required_header: the required claim-level fields, sorted.
        required_line: the required per-line fields, sorted.
        formats: canonical field -> compiled regex.
        serial_formats: SKU -> compiled regex (``"*"`` for any SKU).
        eligible_skus: SKUs that earn (upper case), or None for all.
        eligible_hotels: hotel codes that earn (upper case), or None for all.
        excluded_channels: casefolded booking channels that never earn.
        zone: the desk's time zone: the day of a received time is its day
            here (the claim window, and the award engine through
            ``config.award``, which `resolve` gives this zone).
        claim_window: when claims may be received (``claim_window``, or
            ``claim_window_days`` as ``within_days``), or None.
        source_path: the file the configuration came from.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    config: ClientConfig
    fields: KindFields
    header_index: dict[str, str]
    form_index: dict[str, str]
    required: frozenset[str]
    required_header: tuple[str, ...]
    required_line: tuple[str, ...]
    formats: dict[str, BoundedPattern]
    serial_formats: dict[str, BoundedPattern]
    eligible_skus: frozenset[str] | None
    eligible_hotels: frozenset[str] | None
    excluded_channels: frozenset[str]
    zone: tzinfo
    claim_window: ClaimWindow | None
    source_path: str

    def __repr__(self) -> str:
        return f"ResolvedClient({self.key!r} from {self.source_path!r})"

    @property
    def key(self) -> str:
        """The client key (``acme-tools``)."""
        return self.config.client

    @property
    def desk(self) -> Desk:
        """How the desk reads figures and times: the client's ``locale`` and
        ``timezone`` (`claimflow.shown.Desk`).

        Example: ``client.desk.time(posted_at) == "2026-10-20 09:14 CDT"``
        """
        return Desk(self.config.locale, self.zone)

    @property
    def numbers(self) -> NumberFormat:
        """How the client's clerks and participants write numbers: the
        `number_locale`, else the `locale`."""
        return number_format(self.config.number_locale or self.config.locale)

    def people_index(self) -> dict[str, str]:
        """Folded header alias -> participant list or people file column:
        the defaults (`PEOPLE_COLUMNS`), the client's ``columns`` for the
        same fields (``participant_id``), then its ``participant_columns``.

        Example: ``client.people_index()["vorname"] == "first_name"``
        """
        config = self.config
        shared = {f: a for f, a in config.columns.items() if f in PEOPLE_COLUMNS}
        return alias_index(PEOPLE_COLUMNS, shared, config.participant_columns)


def resolve(config: ClientConfig, source_path: str = "<memory>") -> ResolvedClient:
    """Resolve a configuration as written into the form the stages use.

    Args:
        config: the validated configuration.
        source_path: where it came from, for messages.

    Returns:
        The resolved client.

    Example: ``resolve(ClientConfig(client="x1", name="X", kind="sales",
    date_order="MDY")).required``
    """
    kind = KINDS[config.kind]
    header_index = _header_index(config, kind, source_path)
    form_index = {normalize_label(k): v for k, v in config.form_fields.items()}
    # ``required: []`` requires nothing (a file of any columns is read)
    required = frozenset(kind.required if config.required is None else config.required)
    zone = ZoneInfo(config.timezone)
    if config.award is not None:
        # One calendar day everywhere: the engine takes received days at the desk.
        award = config.award.at_desk(zone, config.locale)  # lines' figures too
        config = config.model_copy(update={"award": award})
    window = config.claim_window
    if window is None and config.claim_window_days is not None:
        window = ClaimWindow(within_days=config.claim_window_days)
    return ResolvedClient(
        config=config,
        fields=kind,
        header_index=header_index,
        form_index=form_index,
        required=required,
        required_header=tuple(sorted(required & kind.header.keys())),
        required_line=tuple(sorted(required & kind.line.keys())),
        formats={
            k: BoundedPattern(v, f"formats.{k}") for k, v in config.formats.items()
        },
        serial_formats={
            k: BoundedPattern(v, f"serial_formats.{k}")
            for k, v in config.serial_formats.items()
        },
        eligible_skus=_upper_set(config.eligible_skus),
        eligible_hotels=_upper_set(config.eligible_hotels),
        excluded_channels=frozenset(c.casefold() for c in config.excluded_channels),
        zone=zone,
        claim_window=window,
        source_path=source_path,
    )


def _header_index(
    config: ClientConfig, kind: KindFields, source: str
) -> dict[str, str]:
    """Folded header alias -> canonical field: the kind's defaults, then the
    client's own ``columns``, which may take a default alias over.

    Raises:
        ConfigError: two of the client's aliases for different fields fold
            to the same name (``Rep No`` and ``rep-no``), or an alias folds
            to nothing: a header could not tell them apart.
    """
    index: dict[str, str] = {}
    for canonical in kind.all:
        for name in (canonical, *kind.aliases.get(canonical, ())):
            index[normalize_label(name)] = canonical
    own: dict[str, tuple[str, str]] = {}
    for canonical, names in config.columns.items():
        for name in names:
            folded = normalize_label(name)
            if not folded:
                raise ConfigError(
                    f"{source}: columns.{canonical}: alias {name!r} has no letters "
                    "or digits to match a header by"
                )
            other = own.get(folded)
            if other is not None and other[0] != canonical:
                raise ConfigError(
                    f"{source}: columns: {other[1]!r} ({other[0]}) and {name!r} "
                    f"({canonical}) match the same headers; keep one"
                )
            own[folded] = (canonical, name)
            index[folded] = canonical
    return index


def _number_format(locale: str) -> None:
    try:
        number_format(locale)
    except NumberError as exc:
        raise ValueError(f"{exc} (a Babel locale such as de_DE, or C)") from None


def _upper_set(values: list[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(v.upper() for v in values)


def _key_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path.lstrip(".") or "(top level)"


def format_validation_error(source: str, error: ValidationError) -> str:
    """Render a pydantic error as ``file: key.path: message`` lines.

    Args:
        source: the file name.
        error: the validation error.

    Returns:
        One line per failure.

    Example: ``clients/acme.yaml: claim_window_days: Input should be > 0``
    """
    lines = []
    for item in error.errors():
        loc = _key_path(tuple(item["loc"]))
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (check the spelling)"
        # a whole-file check names its own key paths, one per line
        where = "" if loc == "(top level)" and item["type"] == "value_error" else loc
        lines += [
            f"{source}: {where}{': ' * bool(where)}{m}" for m in message.split("\n")
        ]
    return "\n".join(lines)


class _TextDatesLoader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates reach pydantic as text, so a
    bad one (``2026-13-01``) is reported with its key path, not by PyYAML.

    A mapping naming a key twice is refused (`_duplicate_key`): PyYAML
    would keep the last one silently (a product listed twice, in two
    groups, would take the second's points unseen).
    """

    def construct_document(self, node: yaml.Node) -> Any:
        """The document, once no mapping in it names a key twice."""
        _duplicate_key(node, (), set())
        return super().construct_document(node)


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _DuplicateKeyError(yaml.YAMLError):
    """A mapping names a key twice: ``line N: key.path: duplicate key ...``."""


def _duplicate_key(
    node: yaml.Node, trail: tuple[int | str, ...], done: set[int]
) -> None:
    """Raise on the first mapping key written twice under `node`, naming
    its line and key path (a merge key, ``<<``, may be overridden). A node
    an alias repeats is looked at once."""
    if id(node) in done:
        return
    done.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _duplicate_key(item, (*trail, i), done)
    elif isinstance(node, yaml.MappingNode):
        lines: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name is not None and key.tag != "tag:yaml.org,2002:merge":
                line, first = key.start_mark.line + 1, lines.get((key.tag, name))
                if first is not None:
                    raise _DuplicateKeyError(
                        f"line {line}: {_key_path((*trail, name))}: duplicate key "
                        f"(first at line {first}; only one may be given)"
                    )
                lines[key.tag, name] = line
            _duplicate_key(value, (*trail, name) if name is not None else trail, done)


#: A client file larger than this is not a configuration (1 MiB).
MAX_CONFIG_BYTES = 1 << 20


def _read_mapping(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"{path}: {path.stat().st_size:,} bytes: larger than a client "
                f"configuration can be ({MAX_CONFIG_BYTES:,})"
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read client configuration: {exc}") from None
    try:
        if path.suffix.lower() == ".toml":
            data: Any = tomllib.loads(text)
        else:
            data = yaml.load(text, Loader=_TextDatesLoader)  # noqa: S506 (a SafeLoader)
    except _DuplicateKeyError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        detail = str(exc).replace("\n", " ")
        raise ConfigError(f"{path}: not valid YAML/TOML: {detail}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deep to be a configuration") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    return data


def load_client(path: str | Path) -> ResolvedClient:
    """Load, validate and resolve a client configuration file (YAML or TOML).

    Args:
        path: the file.

    Returns:
        The resolved client.

    Raises:
        ConfigError: the file is unreadable or invalid; the message names
            the file and every failing key path.

    Example: ``load_client("samples/clients/acme-tools.yaml").key == "acme-tools"``
    """
    path = Path(path)
    data = _read_mapping(path)
    try:
        config = ClientConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(str(path), exc)) from None
    return resolve(config, str(path))
