"""Client configuration: samples load; mistakes are refused with file and key path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from claimflow import ConfigError, load_client
from tests.conftest import SAMPLES

BASE = """\
client: demo-1
name: Demo
kind: sales
date_order: MDY
"""


def test_samples_load_and_resolve() -> None:
    acme = load_client(SAMPLES / "clients/acme-tools.yaml")
    assert acme.key == "acme-tools"
    assert acme.header_index["rep#"] == "participant_id"
    assert acme.required == {
        "participant_id",
        "invoice_number",
        "invoice_date",
        "sku",
        "quantity",
    }
    costa = load_client(SAMPLES / "clients/costa-azul.yaml")
    assert costa.header_index["nosocio"] == "participant_id"
    assert str(costa.zone) == "Europe/Madrid"


def test_toml_is_accepted(write: Callable[..., Path]) -> None:
    text = 'client = "demo-1"\nname = "Demo"\nkind = "stay"\ndate_order = "DMY"\n'
    assert load_client(write("demo.toml", text)).config.kind == "stay"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("claim_window_days: 0\n", "claim_window_days: Input should be greater than 0"),
        ("timezone: Mars/Olympus\n", "timezone: unknown IANA time zone 'Mars/Olympus'"),
        ("locale: xx_YY\n", "locale: unknown locale 'xx_YY'"),
        ("formats:\n  sku: '[unclosed'\n", "formats: sku: not a valid regex"),
        (
            "columns:\n  colour: [Colour]\n",
            "columns: unknown field 'colour' for sales claims",
        ),
        (
            "required: [hotel_code]\n",
            "required: unknown field 'hotel_code' for sales claims",
        ),
        (
            "notices:\n  sendr: Desk\n",
            "notices.sendr: unknown key (check the spelling)",
        ),
        ("schema_version: 2\n", "schema_version: Input should be 1"),
        ("eligible_skus: DRL-200\n", "eligible_skus: Input should be a valid list"),
    ],
)
def test_bad_configs_name_the_file_and_key_path(
    write: Callable[..., Path], extra: str, message: str
) -> None:
    path = write("demo.yaml", BASE + extra)
    with pytest.raises(ConfigError) as caught:
        load_client(path)
    assert f"{path}: {message}" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("client: [unclosed\n", "not valid YAML/TOML"),
        ("- a list\n", "expected a mapping of settings"),
        ("name: Demo\nkind: sales\n", "client: Field required"),
    ],
)
def test_unusable_config_files(
    write: Callable[..., Path], text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_client(write("demo.yaml", text))


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read client configuration"):
        load_client(tmp_path / "nope.yaml")


def test_aliases_in_any_script_are_keys_of_their_own(
    write: Callable[..., Path],
) -> None:
    """Russian aliases folded to the empty key: one of them refused the file,
    blaming headers nobody aliased."""
    from claimflow import read_file

    config = write(
        "ru.yaml",
        BASE
        + "columns:\n"
        + "  participant_id: [Номер участника]\n"
        + "  invoice_number: [Номер счёта]\n"
        + "  invoice_date: [Дата счёта]\n"
        + "  sku: [Артикул]\n"
        + "  quantity: [Кол-во]\n",
    )
    client = load_client(config)
    assert "" not in client.header_index
    csv = write(
        "ru.csv",
        "Номер участника;Номер счёта;Дата счёта;Артикул;Кол-во;Примечание\n"
        "104233;INV-1;10/02/2026;DRL-200;2;срочно\n",
    )
    [record] = read_file(csv, client)
    assert record.values == {
        "participant_id": "104233",
        "invoice_number": "INV-1",
        "invoice_date": "10/02/2026",
    }
    assert record.lines[0][1] == {"sku": "DRL-200", "quantity": "2"}
    assert record.field_sources["participant_id"] == "Номер участника"


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            "  participant_id: [Rep No]\n  dealer_id: [rep-no]\n",
            "columns: 'Rep No' (participant_id) and 'rep-no' (dealer_id) match the same headers; keep one",
        ),
        (
            "  sku: ['--']\n",
            "columns.sku: alias '--' has no letters or digits to match a header by",
        ),
    ],
)
def test_aliases_that_cannot_tell_headers_apart_are_refused(
    write: Callable[..., Path], columns: str, message: str
) -> None:
    path = write("c.yaml", BASE + "columns:\n" + columns)
    with pytest.raises(ConfigError) as caught:
        load_client(path)
    assert str(caught.value) == f"{path}: {message}"


def test_a_clients_alias_takes_a_default_one_over(write: Callable[..., Path]) -> None:
    client = load_client(write("c.yaml", BASE + "columns:\n  dealer_name: [Name]\n"))
    assert client.header_index["name"] == "dealer_name"
