"""Client configuration: one YAML or TOML file per client program.

`ClientConfig` is the file as written (friendly defaults, aliases as lists);
`resolve()` turns it into `ResolvedClient` (every default filled in, regexes
compiled, header aliases folded), the only form the stages see (STYLE 12).
Errors name the file and the key path: ``clients/acme.yaml: formats.sku: ...``.

`ClientConfig` and its sections live in `claimflow.config_written`; reading
the file and rendering its errors in `claimflow.config_reading`. Their
public names are importable from here.
"""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError

from claimflow.config_reading import (
    MAX_CONFIG_BYTES,
    format_validation_error,
    read_mapping,
)
from claimflow.config_written import (
    SCHEMA_VERSION,
    ClientConfig,
    DateOrder,
    NoticeSettings,
)
from claimflow.errors import ConfigError
from claimflow.fields import (
    KINDS,
    PEOPLE_COLUMNS,
    KindFields,
    alias_index,
    normalize_label,
)
from claimflow.numbers import NumberFormat, number_format
from claimflow.patterns import BoundedPattern
from claimflow.shown import Desk
from claimflow.window import ClaimWindow


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

    @property
    def solar_hijri(self) -> bool:
        """Whether the desk writes the Solar Hijri calendar (its ``locale``
        Persian or Pashto, or its ``timezone`` Tehran's or Kabul's), so that
        a Hijri year sent to it is named with its Solar Hijri conversion
        (`claimflow.dates.writes_solar_hijri`).

        Example: ``client.solar_hijri is False`` at an ar_SA desk
        """
        from claimflow.dates import writes_solar_hijri

        return writes_solar_hijri(self.config.locale, self.config.timezone)

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


def _upper_set(values: list[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(v.upper() for v in values)


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
    data = read_mapping(path)
    try:
        config = ClientConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(str(path), exc)) from None
    return resolve(config, str(path))


__all__ = [
    "MAX_CONFIG_BYTES",
    "SCHEMA_VERSION",
    "ClientConfig",
    "DateOrder",
    "NoticeSettings",
    "ResolvedClient",
    "format_validation_error",
    "load_client",
    "resolve",
]
