"""Reading a client file into a mapping, and pydantic's errors as key paths.

`read_mapping` reads a YAML or TOML client file (at most
`MAX_CONFIG_BYTES`): YAML without implicit timestamps, so a bad date is
reported with its key path, and with no key written twice in a mapping.
`format_validation_error` renders a validation error as ``file: key.path:
message`` lines. `claimflow.config.load_client` uses both.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from claimflow.errors import ConfigError


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


def read_mapping(path: Path) -> dict[str, Any]:
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
