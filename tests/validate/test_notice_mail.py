"""Notices as e-mails (``.eml``: text and HTML), and the catalogues behind them.

Found in review (issue 26): notices were plain text only, with nothing to
send them by; counts were pasted into English-shaped sentences.
"""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from claimflow.codes import Outcome, ReasonCode
from claimflow.config import ClientConfig
from claimflow.validate.notice_i18n import BUNDLED, LANGUAGES, LOCALES
from claimflow.validate.notice_mail import notice_email
from claimflow.validate.notices import Notice, render_notices
from tests.conftest import SAMPLES
from tests.validate.test_notices import TODAY, client, item, missing, sale


def _parsed(notice: Notice) -> EmailMessage:
    parsed = message_from_bytes(bytes(notice_email(notice)), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_a_notice_is_an_email_with_its_text_and_html() -> None:
    [notice] = render_notices(missing(["BR-1", "BR-2"]), client("pt", "pt_BR"), TODAY)
    mail = _parsed(notice)
    assert mail.get_content_type() == "multipart/alternative"
    assert (
        mail["Subject"]
        == "Frio Sul: precisamos de informações sobre suas 2 solicitações"
    )
    assert mail["From"] == "Frio Sul Desk <incentivo@friosul.example>"
    assert mail["Reply-To"] == "incentivo@friosul.example"
    assert mail["Content-Language"] == "pt"
    assert mail["X-Claimflow-Participant"] == "10003"
    assert mail["To"] is None  # a claim holds no address: the sender adds it
    text, html = (part.get_content() for part in mail.iter_parts())
    assert text == notice.text
    assert (
        "<p>Analisamos 2 solicitações suas que não podemos pagar da forma como "
        "foram enviadas.\n"
    ) in html
    assert '<html lang="pt">' in html and "incentivo@friosul.example" in html
    # the same bytes on every run: writing a notice again changes no file
    assert bytes(notice_email(notice)) == bytes(notice_email(notice))


def test_the_html_escapes_what_the_participant_keyed() -> None:
    bad = sale("<b>BR-1</b>").model_copy(
        update={"participant_name": "<script>x</script>"}
    )
    [notice] = render_notices(
        [item(bad, ReasonCode.MISSING_FIELD, "dealer_id", "required, found nothing")],
        client("en", "en_US"),
        TODAY,
    )
    assert notice.html is not None
    assert "<script>" not in notice.html and "<b>BR-1</b>" not in notice.html
    assert "&lt;script&gt;x&lt;/script&gt;" in notice.html
    assert "Dear <script>x</script> (member 10003)," in notice.text


def test_a_stored_notice_has_an_html_part_made_of_its_text() -> None:
    stored = Notice("104233", "en", ("c1",), "Acme\n\nDear <Maria>,\nline\n")
    text, html = (part.get_content() for part in _parsed(stored).iter_parts())
    assert text == stored.text
    assert "<p>Dear &lt;Maria&gt;,<br>line</p>" in html


def test_ingest_writes_an_eml_beside_each_text_notice(tmp_path: Path) -> None:
    from tests.test_cli import ACME_CONFIG, OCTOBER, run

    folder = tmp_path / "n"
    code, out, _ = run(
        "ingest", OCTOBER, "--client", ACME_CONFIG, "--db", str(tmp_path / "c.db"),
        "--notices", str(folder),
    )  # fmt: skip
    assert code == 1
    texts = sorted(folder.glob("*.txt"))
    assert [p.with_suffix(".eml") for p in texts] == sorted(folder.glob("*.eml"))
    [dwayne] = [p for p in texts if p.stem.endswith("106020")]
    mail = message_from_bytes(
        dwayne.with_suffix(".eml").read_bytes(), policy=policy.default
    )
    assert isinstance(mail, EmailMessage)
    assert mail["Reply-To"] == "rewards@acme-tools.example"
    # a subject too long for one header line is folded onto the next
    assert mail["Subject"].strip() == (
        "Acme Power Tools Dealer Rewards: we need information about your 2 claims"
    )
    text = mail.get_body(("plain",))
    assert text is not None and text.get_content() == dwayne.read_text(encoding="utf-8")


def _msgids() -> set[str | tuple[str, str]]:
    """Every sentence the bundled templates and the notice code translate."""
    found: set[str | tuple[str, str]] = set()
    for template in BUNDLED.glob("*.j2"):
        for _, message, _, _ in extract_from_file("jinja2", template):
            found.add(message)
    for module in ("notices.py", "notice_values.py", "notice_i18n.py"):
        for _, message, _, _ in extract_from_file("python", BUNDLED.parent / module):
            found.add(message)
    return found


def _fields(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", text))


@pytest.mark.parametrize("language", ["es", "id", "pt", "de", "fr"])
def test_every_sentence_is_translated_with_its_values(language: str) -> None:
    with (LOCALES / language / "LC_MESSAGES" / "notices.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    wanted = _msgids()
    assert len(wanted) == 26
    for msgid in wanted:
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        message = catalog.get(key)
        assert message is not None and not message.fuzzy, msgid
        forms = (
            message.string if isinstance(message.string, tuple) else (message.string,)
        )
        assert len(forms) == (catalog.num_plurals if isinstance(msgid, tuple) else 1)
        for form in forms:
            assert form, msgid
            # a translation may leave the count out (Indonesian has one form
            # for all counts, and says "1" the same way), never add a value
            assert _fields(form) <= _fields(
                " ".join(msgid) if isinstance(msgid, tuple) else msgid
            )
            assert _fields(form) >= _fields(key) - {"num"}


def test_the_wheel_ships_the_catalogues() -> None:
    pyproject = (SAMPLES.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"validate/locale/*/LC_MESSAGES/*.po"' in pyproject
    assert sorted(p.parent.parent.name for p in LOCALES.glob("*/LC_MESSAGES/*.po")) == [
        "de",
        "es",
        "fr",
        "id",
        "pt",
    ]


def test_every_language_a_client_may_set_ships_its_wording() -> None:
    allowed = get_args(ClientConfig.model_fields["language"].annotation)
    assert sorted(allowed) == sorted(LANGUAGES)
    assert sorted(p.name for p in BUNDLED.glob("phrases.*.yaml")) == sorted(
        f"phrases.{language}.yaml" for language in LANGUAGES
    )
    for language in set(LANGUAGES) - {"en"}:
        assert (LOCALES / language / "LC_MESSAGES" / "notices.po").is_file()


def _wording(phrases: Any, at: str = "") -> dict[str, str]:
    """Every phrase of a phrase file by its path (``codes.too_early.sales``)."""
    if isinstance(phrases, dict):
        found: dict[str, str] = {}
        for key, value in phrases.items():
            found.update(_wording(value, f"{at}.{key}" if at else str(key)))
        return found
    return {at: str(phrases)}


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_phrase_is_translated_with_its_placeholders(language: str) -> None:
    def load(lang: str) -> dict[str, str]:
        text = (BUNDLED / f"phrases.{lang}.yaml").read_text(encoding="utf-8")
        return _wording(yaml.safe_load(text))

    english, translated = load("en"), load(language)
    # date_formats: how a date is written in the language's letters (English
    # uses the built-in DD/MM/YYYY); minor_units: the hundredth of each
    # currency as the language names it, a table of its own (es EUR
    # céntimo, es ARS centavo), its default for the rest
    own = ("date_formats.", "minor_units.")
    wording = {k: v for k, v in translated.items() if not k.startswith(own)}
    assert set(wording) == {k for k in english if not k.startswith("minor_units.")}
    assert translated["minor_units.default"].strip()
    assert {k.split(".")[1] for k in translated if k.startswith("date_formats.")} == {
        "DMY",
        "MDY",
        "YMD",
    }
    for key, phrase in english.items():
        if key.startswith("minor_units."):
            continue
        assert wording[key].strip(), key
        assert _placeholders(wording[key]) == _placeholders(phrase), key
        # no English left in: only a word both languages write alike
        assert wording[key] != phrase or key in SAME_WORD, key


#: Phrases some languages write as English does (``hotel``; Indonesian's
#: ``check-out``).
SAME_WORD = frozenset({"fields.hotel_code", "activity.stay"})


def _placeholders(phrase: str) -> list[str]:
    return sorted(re.findall(r"{(\w+)}", phrase))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "please send it again as DD/MM/YYYY"),
        ("es", "envíela de nuevo como DD/MM/AAAA"),
        ("id", "mohon kirim ulang dengan format HH/BB/TTTT"),
        ("pt", "envie-a novamente como DD/MM/AAAA"),
        # the letters are the notice's, the separator the client's pt_BR
        ("de", "Bitte senden Sie es erneut im Format TT/MM/JJJJ"),
        ("fr", "veuillez la renvoyer au format JJ/MM/AAAA"),
    ],
)
def test_the_date_pattern_asked_for_is_in_the_notices_language(
    language: str, expected: str
) -> None:
    bad = item(
        sale("BR-1"),
        ReasonCode.INVALID_DATE,
        "invoice_date",
        "expected a date as DD/MM/YYYY, found '2026/10/32'",
        Outcome.PENDED,
    )
    [notice] = render_notices([bad], client(language, "pt_BR"), TODAY)
    assert expected in notice.text
