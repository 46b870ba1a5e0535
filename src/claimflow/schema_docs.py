"""The client file's JSON Schema, every key described from its model's docstring.

Each configuration model documents its fields in a Google-style
``Attributes:`` block (the style guide's habit). `describe_fields`, set as
the models' ``json_schema_extra``, copies those lines into the schema's
``description``s, so that an editor (VS Code's YAML extension, for one)
explains every key of a client file as it is typed, from one source.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

_ENTRY = re.compile(r"^(?P<names>[\w, ]+?):\s+(?P<text>.*)$")


def attribute_docs(doc: str | None) -> dict[str, str]:
    """Field name -> its text in a docstring's ``Attributes:`` block.

    An entry may name several fields (``skus, groups: include lists.``);
    its continuation lines, indented deeper, are joined to it.

    Example: ``attribute_docs("X.\\n\\nAttributes:\\n    a: the a.")`` is ``{"a": "the a."}``
    """
    lines = inspect.cleandoc(doc or "").splitlines()
    try:
        start = lines.index("Attributes:") + 1
    except ValueError:
        return {}
    found: dict[str, str] = {}
    names: list[str] = []
    for line in lines[start:]:
        if line and not line.startswith(" "):
            break  # the next section
        entry = (
            _ENTRY.match(line[4:]) if line[:4] == "    " and line[4:5] != " " else None
        )
        if entry:
            names = [n.strip() for n in entry["names"].split(",")]
            for name in names:
                found[name] = entry["text"]
        elif line.strip() and names:
            for name in names:
                found[name] += " " + line.strip()
    return found


def describe_fields(schema: dict[str, Any], model: type[Any]) -> None:
    """Give each property of `model`'s schema its docstring text (pydantic hook).

    Example: ``model_config = ConfigDict(json_schema_extra=describe_fields)``
    """
    docs: dict[str, str] = {}
    for klass in reversed(model.__mro__):  # a base documents the shared fields
        docs |= attribute_docs(klass.__doc__)
    summary = schema.get("description", "").split("\n\nAttributes:")[0]
    if summary:  # the model's own text, without the block spread over its keys
        schema["description"] = summary
    fields = getattr(model, "model_fields", {})
    named = {(f.alias or n): n for n, f in fields.items()}  # ``from`` is start
    for key, prop in schema.get("properties", {}).items():
        text = docs.get(key) or docs.get(named.get(key, key))
        if text and "description" not in prop:
            prop["description"] = text


def client_schema() -> dict[str, Any]:
    """The JSON Schema of a client file, every key described.

    Example: ``client_schema()["properties"]["date_order"]["description"]``
    """
    from claimflow.config import ClientConfig

    schema: dict[str, Any] = ClientConfig.model_json_schema()
    return schema
