"""CREDIT_GRAPH_CATALOG: an operator's catalog is the one in force, and a bad one is refused at
start — by the CLI and by the app factory — with one line naming the file, the key and the fix.

The Neo4j-backed half (a lower ``majority_pct`` changes GraphQL and the stored measures alike)
is tests/graphql/test_control_catalog.py.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from graph_service.app import create_app
from graph_service.errors import PolicyError
from graph_service.policy import default_catalog
from graph_service.policy.catalog import catalog_in_force
from graph_service.settings import Settings
from tests.conftest import cli_env, make_settings, run_cli

PACKAGED = resources.files("graph_service.policy").joinpath("catalog.yaml").read_text("utf-8")


def _changed(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert text.count(old) == 1, old  # the packaged catalog still reads as assumed
        return text.replace(old, new)

    return change


def _line_of(text: str) -> int:
    """The line number of ``text`` in the packaged catalog."""
    return PACKAGED[: PACKAGED.index(text)].count("\n") + 1


# (a change of the packaged catalog, the start of the line that names the place and problem)
BAD = {
    "not valid YAML": (
        _changed("outcomes: [deny, restrict, review, allow]", "outcomes: [deny, restrict"),
        "not valid YAML at line ",
    ),
    "a missing context": (
        _changed("  - exit\n", ""),
        "measures.dishonest_debtor.row: 12 outcomes for 11 contexts",
    ),
    "an unknown measure": (
        _changed(
            "default: {measures: [dishonest_debtor], serious: true}",
            "default: {measures: [dishonest_debter], serious: true}",
        ),
        "record_kinds.dishonest_debtor.variants.default.measures: "
        "unknown measure 'dishonest_debter'",
    ),
    "a negative threshold": (
        _changed("majority_pct: 50", "majority_pct: -5"),
        "control.majority_pct: expected a percentage in (0, 100], got -5",
    ),
}
MORE_BAD = {
    "a key given twice": (
        _changed("majority_pct: 50", "majority_pct: 50\n  majority_pct: 30"),
        f"not valid YAML at line {_line_of('majority_pct: 50') + 1}, column 3: "
        "key 'majority_pct' appears twice",
    ),
    "an empty file": (lambda text: "", "the file is empty"),
    "a context the API does not have": (
        _changed("  - exit\n", "  - departure\n"),
        "contexts: missing exit (the API's contexts are government_procurement, bidding,",
    ),
    "an unknown key": (
        _changed("majority_pct: 50", "majority_percent: 50"),
        "control: unknown key(s) majority_percent",
    ),
}


def _write(tmp_path: Path, change: Callable[[str], str]) -> Path:
    path = tmp_path / "operator-catalog.yaml"
    path.write_text(change(PACKAGED), encoding="utf-8")
    return path.resolve()


def _assert_one_line_refusal(message: str, path: Path, problem: str) -> None:
    assert "\n" not in message.strip(), message
    assert message.startswith(f"catalog {path}: {problem}"), message
    assert " — " in message and message.endswith(
        ", or unset CREDIT_GRAPH_CATALOG to run the packaged catalog"
    ), message


@pytest.mark.parametrize("case", sorted(BAD))
def test_the_cli_refuses_a_bad_catalog_in_one_line(tmp_path: Path, case: str) -> None:
    change, problem = BAD[case]
    path = _write(tmp_path, change)
    result = run_cli("propagate", env=cli_env(CREDIT_GRAPH_CATALOG=str(path)))
    assert result.returncode == 1
    assert result.stdout == ""
    _assert_one_line_refusal(result.stderr.strip().removeprefix("error: "), path, problem)


@pytest.mark.parametrize("case", sorted(BAD | MORE_BAD))
def test_the_app_refuses_to_start_on_a_bad_catalog(tmp_path: Path, case: str) -> None:
    change, problem = (BAD | MORE_BAD)[case]
    path = _write(tmp_path, change)
    with pytest.raises(PolicyError) as refused:
        create_app(make_settings(catalog=path))
    _assert_one_line_refusal(str(refused.value), path, problem)


def test_serve_refuses_before_listening(tmp_path: Path) -> None:
    path = _write(tmp_path, BAD["a negative threshold"][0])
    with socket.socket() as sock:  # a free port, so a wrongly started server would not clash
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = cli_env(CREDIT_GRAPH_CATALOG=str(path))
    result = run_cli("serve", "--port", str(port), env=env, timeout=60)
    assert result.returncode == 1
    _assert_one_line_refusal(
        result.stderr.strip().removeprefix("error: "), path, BAD["a negative threshold"][1]
    )


def test_a_missing_file_is_refused_naming_the_setting(tmp_path: Path) -> None:
    path = (tmp_path / "nowhere.yaml").resolve()
    with pytest.raises(PolicyError) as refused:
        catalog_in_force(make_settings(catalog=path))
    _assert_one_line_refusal(str(refused.value), path, "cannot read catalog")


def test_the_setting_selects_the_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, _changed('version: "2026.11-1"', 'version: "operator-7"'))
    monkeypatch.setenv("CREDIT_GRAPH_CATALOG", str(path))
    assert catalog_in_force(Settings()).version == "operator-7"
    monkeypatch.setenv("CREDIT_GRAPH_CATALOG", "")  # empty means unset: the packaged one
    assert catalog_in_force(Settings()) is default_catalog()
    monkeypatch.delenv("CREDIT_GRAPH_CATALOG")
    assert catalog_in_force(Settings()).version == "2026.11-1"
