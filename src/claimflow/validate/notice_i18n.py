"""Notice languages: gettext catalogues, phrase files and the template environment.

Contract: `translations(language)` gives the notice sentences of a language,
plural forms included, from ``locale/<lang>/LC_MESSAGES/notices.po``
(English is the source language: its sentences are the message ids);
`phrases(folder, language)` the per-code and per-field wording from
``phrases.<lang>.yaml``; `environment(folder, language)` a sandboxed Jinja2
environment with ``_`` and ``ngettext`` installed for the language. A client's
own ``notices.template_dir`` is searched before the bundled templates.

The ``.po`` files are compiled when first used (Babel's ``read_po`` and
``write_mo`` into memory), not at build time: the wheel ships the text
catalogues alone, with no build step to forget and no ``.mo`` to fall out of
date with its ``.po``; compiling the catalogues takes a few
milliseconds once per process.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

import yaml
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_eval_context,
    select_autoescape,
)
from jinja2.nodes import EvalContext
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import escape

from claimflow.errors import ConfigError

BUNDLED = Path(__file__).parent / "templates"
LOCALES = Path(__file__).parent / "locale"
#: The languages notices ship in; English is the catalogues' source language.
LANGUAGES = ("en", "es", "id", "pt", "de", "fr")
DOMAIN = "notices"


@lru_cache(maxsize=8)
def translations(language: str) -> gettext.NullTranslations:
    """The notice catalogue of `language`, compiled from its ``.po`` file.

    Args:
        language: a language code (``es``).

    Returns:
        Translations with the language's plural rule; for English (the
        message ids' language) the ids themselves, with English plurals.

    Example: ``translations("es").ngettext("%(num)s claim", "%(num)s claims", 1)``
    """
    po = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        if language == "en":
            return gettext.NullTranslations()
        raise ConfigError(f"no notice catalogue for language {language!r}: {po}")
    with po.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    loaded: gettext.NullTranslations = Translations(compiled, domain=DOMAIN)
    return loaded


@lru_cache(maxsize=16)
def environment(template_dir: str | None, language: str) -> Environment:
    """A sandboxed template environment for one language.

    Example: ``environment(None, "es").get_template("notice.txt.j2")``
    """
    folders = [template_dir] if template_dir else []
    # A client's templates are data, not code: the sandbox refuses attribute
    # walks to Python internals (``''.__class__.__mro__``) and unsafe calls.
    # The bundled templates alone are ours, and render 2-3 times faster
    # outside it (a batch of a million claims renders ~100,000 notices).
    kind = SandboxedEnvironment if template_dir else Environment
    env = kind(
        loader=FileSystemLoader([*folders, str(BUNDLED)]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=select_autoescape(["html.j2"], default_for_string=False),
        extensions=["jinja2.ext.i18n"],
    )
    # newstyle: ``_("... %(name)s", name=x)`` formats (and escapes, in HTML)
    # its values, so a translation moves a value wherever its grammar needs.
    words = translations(language)
    env.install_gettext_translations(words, newstyle=True)  # type: ignore[attr-defined]
    # The same calls without the extension's three nested context calls per
    # sentence (``{% trans %}`` blocks in a client's template use them too).
    gettext, ngettext = _sentences(words)
    env.globals.update({"_": gettext, "gettext": gettext, "ngettext": ngettext})
    return env


def _sentences(
    words: gettext.NullTranslations,
) -> tuple[Callable[..., str], Callable[..., str]]:
    """Newstyle ``gettext`` and ``ngettext`` for templates: the translated
    sentence with its values put in, each value escaped in an HTML template
    (``ngettext`` gives the count as ``num`` unless a value names it)."""

    @pass_eval_context
    def sentence(context: EvalContext, message: str, **values: Any) -> str:
        return _filled(context, words.gettext(message), values)

    @pass_eval_context
    def counted(
        context: EvalContext, singular: str, plural: str, count: int, **values: Any
    ) -> str:
        values.setdefault("num", count)
        return _filled(context, words.ngettext(singular, plural, count), values)

    return sentence, counted


def _filled(context: EvalContext, text: str, values: dict[str, Any]) -> str:
    if context.autoescape:
        # Markup's % escapes each value; the result stays Markup (not escaped again)
        return escape(text) % values
    return text % values


@lru_cache(maxsize=16)
def phrases(template_dir: str | None, language: str) -> dict[str, Any]:
    """The per-code, per-field and per-status wording of `language`.

    Example: ``phrases(None, "es")["status"]["pended"]``
    """
    for folder in (template_dir, str(BUNDLED)):
        if folder and (Path(folder) / f"phrases.{language}.yaml").is_file():
            text = (Path(folder) / f"phrases.{language}.yaml").read_text(
                encoding="utf-8"
            )
            loaded: dict[str, Any] = yaml.safe_load(text)
            return loaded
    raise FileNotFoundError(f"phrases.{language}.yaml")


def notice_subject(language: str, which: str, program: str, count: int) -> str:
    """The e-mail subject of a notice: what it is about, in its language
    (`which`: ``send``, asking for information; ``award``; else about claims).

    Example: ``notice_subject("en", "notice", "Acme", 1) == "Acme: about your claim"``
    """
    words = translations(language)
    if which == "send":
        text = words.ngettext(
            "%(program)s: we need information about your claim",
            "%(program)s: we need information about your %(num)s claims",
            count,
        )
    elif which == "award":
        text = words.ngettext(
            "%(program)s: the points of your claim",
            "%(program)s: the points of your %(num)s claims",
            count,
        )
    else:
        text = words.ngettext(
            "%(program)s: about your claim",
            "%(program)s: about your %(num)s claims",
            count,
        )
    return text % {"program": program, "num": count}
