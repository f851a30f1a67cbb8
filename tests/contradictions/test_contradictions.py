"""Contradictions between sources (due process §7): every kind found in a small world loaded as
an operator loads it, listed with the rows' provenance by the CLI and GraphQL, counted in the
load summary, and never a cause of any measure."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from graph_service import migrations
from graph_service.analysis.contradictions import KINDS
from graph_service.cli.contradictions_cmd import name_fields
from graph_service.cli.main import app
from graph_service.db import Database
from graph_service.errors import InvalidInput
from graph_service.explore import contradictions
from graph_service.identifiers import id_check_char
from graph_service.propagation import runner, store
from tests.conftest import run_cli
from tests.graphql.conftest import Api, api  # noqa: F401 - the GraphQL server fixture
from tests.loaders.conftest import make_id, make_uscc, write

TODAY = date.today()
#: A day when the reference-only party has been so for more than the catalog's 30 days.
LATER = TODAY + timedelta(days=40)


def _minor() -> str:
    """The id number of a person ten years old today (under 18 when loaded; counted back from
    today, not a fixed birth date: a fixed one comes of age on the load day some year)."""
    born = TODAY.replace(year=TODAY.year - 10, day=min(TODAY.day, 28))
    body = f"130102{born:%Y%m%d}123"
    return body + id_check_char(body)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Registry files with one contradiction of each kind, and the parties' ids."""
    rng = random.Random(17)  # noqa: S311 - test data
    a, p, b, x = (make_uscc(rng) for _ in range(4))
    adult, holder, minor = make_id(rng), make_id(rng), _minor()
    folder = tmp_path_factory.mktemp("contradictions") / "world"
    folder.mkdir()
    write(folder, "companies.csv", "uscc,name,legal_rep_id,legal_rep_name,status,注销日期\n"
          f"{a},甲建设有限公司,{minor},小明,注销,2020-01-01\n{p},母公司,{adult},张三,存续,\n"
          f"{b},母公司石家庄分公司,{adult},张三,存续,\n")  # fmt: skip
    write(folder, "persons.csv", f"id_number,name,gender\n{adult},张三,男\n{minor},小明,男\n")
    write(folder, "dishonest_debtors.csv", "case_no,debtor_id,debtor_name,published_on\n"
          f"（2021）冀01执7号,{a},甲建材有限公司,2021-06-01\n")  # fmt: skip
    write(folder, "branches.csv", f"branch_uscc,parent_uscc\n{b},{p}\n{p},{b}\n")
    write(folder, "shareholdings.csv", "company_uscc,holder_id,holder_name,stake_pct\n"
          f"{p},{adult},张三,60\n{a},{b},,10\n")  # fmt: skip
    write(folder, "shareholdings-2.csv", "company_uscc,holder_id,holder_name,stake_pct\n"
          f"{p},{holder},李四,50\n{p},{x},某投资公司,5\n")  # fmt: skip
    return {"folder": folder, "a": a, "p": p, "b": b, "x": x, "holder": holder, "minor": minor}


@pytest.fixture(scope="module")
def loaded(world: dict[str, Any], session_db: Database, api: Api) -> list[dict[str, Any]]:  # noqa: F811
    """The world loaded with ``credit-graph load-dir --json``: the summaries it printed."""
    migrations.reset(session_db)
    api.issue_keys(session_db)
    done = run_cli("load-dir", str(world["folder"]), "--json",
                   "--reject-dir", str(world["folder"].parent / "rejects"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    summaries: list[dict[str, Any]] = json.loads(done.stdout)
    assert all(s["rejected"] == 0 for s in summaries), summaries
    return summaries


def test_the_load_summary_counts_them_and_the_cli_lists_them_with_provenance(
    loaded: list[dict[str, Any]], world: dict[str, Any]
) -> None:
    counts = {s["contradictions"] for s in loaded}
    done = run_cli("contradictions", "--json")

    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert counts == {listed["total"]} and listed["total"] == len(listed["contradictions"])
    by_kind = {c["kind"]: c for c in listed["contradictions"]}
    assert set(by_kind) == set(KINDS) - {"reference_only"}  # not 30 days old yet
    names = by_kind["name_mismatch"]
    assert names["party_id"] == world["a"]
    assert names["details"]["names"] == ["甲建材有限公司", "甲建设有限公司"]
    assert {(p["file"], p["row"]) for p in names["provenance"]} == {
        ("companies.csv", 2), ("dishonest_debtors.csv", 2)}  # fmt: skip
    assert all(p["load_id"] for c in listed["contradictions"] for p in c["provenance"])
    assert by_kind["record_after_deregistration"]["details"]["deregistered_on"] == "2020-01-01"
    assert by_kind["minor_role"]["party_id"] == world["minor"]
    assert by_kind["minor_role"]["details"]["role"] == "legal_rep"
    assert by_kind["branch_holds_shares"]["party_id"] == world["b"]
    assert by_kind["branch_cycle"]["details"]["parties"] == sorted([world["b"], world["p"]])
    stakes = by_kind["stakes_over_100"]
    assert stakes["party_id"] == world["p"] and stakes["details"]["sum_pct"] == 115.0
    assert {p["file"] for p in stakes["provenance"]} == {"shareholdings.csv", "shareholdings-2.csv"}


def test_reference_only_parties_after_the_catalogs_days(
    loaded: list[dict[str, Any]], world: dict[str, Any], session_db: Database
) -> None:
    result = contradictions.refresh(session_db, name_fields(), today=LATER)
    again = contradictions.refresh(session_db, name_fields(), today=LATER)

    assert set(result.by_kind) == set(KINDS)
    assert (result.removed, result.created) == (0, 2)  # only the two new ones are written
    assert (again.removed, again.created, again.count) == (0, 0, result.count)
    found = contradictions.stored_page(session_db, "reference_only", 0, 10)
    assert sorted(c["party_id"] for c in found) == sorted([world["x"], world["holder"]])
    assert {c["details"]["known_only_from"] for c in found} == {"shareholdings"}
    assert {c["provenance"][0]["file"] for c in found} == {"shareholdings-2.csv"}


def test_they_never_change_a_measure(loaded: list[dict[str, Any]], session_db: Database) -> None:
    stored = contradictions.stored_page(session_db, None, 0, 1000)
    session_db.write("contradictions/delete", ids=[c["contradiction_id"] for c in stored])
    assert contradictions.stored_count(session_db) == 0
    runner.run_full(session_db, as_of=TODAY)
    without = {k: m.content_hash for k, m in store.stored_measures(session_db, None).items()}
    contradictions.refresh(session_db, name_fields(), today=LATER)

    again = runner.run_full(session_db, as_of=TODAY)

    assert contradictions.stored_count(session_db) == len(KINDS) + 1  # two reference-only
    assert without  # the debtor's measures: there is something that could change
    assert (again.gained, again.lost, again.changed, again.risk_changed) == (0, 0, 0, 0)
    assert {
        k: m.content_hash for k, m in store.stored_measures(session_db, None).items()
    } == without


QUERY = """query($kind: String, $first: Int, $after: String) {
  contradictions(kind: $kind, first: $first, after: $after) {
    ... on ContradictionConnection { totalCount pageInfo { hasNextPage endCursor }
      nodes { kind partyId summary details rows { file row loadId kind } } }
    ... on InvalidInputError { argument message }
  }
}"""


def test_graphql_pages_through_them(loaded: list[dict[str, Any]], api: Api) -> None:  # noqa: F811
    first = api.data(QUERY, {"first": 4})["contradictions"]
    rest = api.data(QUERY, {"first": 4, "after": first["pageInfo"]["endCursor"]})["contradictions"]
    one = api.data(QUERY, {"kind": "stakes_over_100"})["contradictions"]

    assert first["totalCount"] == len(KINDS) + 1 and first["pageInfo"]["hasNextPage"]
    kinds = [n["kind"] for n in first["nodes"] + rest["nodes"]]
    assert sorted(set(kinds)) == sorted(KINDS) and len(kinds) == len(KINDS) + 1
    assert not rest["pageInfo"]["hasNextPage"]
    assert [n["kind"] for n in one["nodes"]] == ["stakes_over_100"]
    assert one["nodes"][0]["rows"][0]["file"].startswith("shareholdings")


def test_graphql_bad_kind_and_cursor_name_the_argument(
    loaded: list[dict[str, Any]],
    api: Api,  # noqa: F811
) -> None:
    bad_kind = api.data(QUERY, {"kind": "nonsense"})["contradictions"]
    bad_cursor = api.data(QUERY, {"after": "not-a-cursor!"})["contradictions"]
    checker = api.post(QUERY, {}, role="checker").json()

    assert bad_kind["argument"] == "kind" and "name_mismatch" in bad_kind["message"]
    assert bad_cursor["argument"] == "after"
    assert checker["errors"] and not (checker.get("data") or {}).get("contradictions")


def test_cli_refuses_an_unknown_kind() -> None:
    done = CliRunner().invoke(app, ["contradictions", "--kind", "nonsense"])

    assert isinstance(done.exception, InvalidInput)
    assert "--kind: unknown kind" in str(done.exception)
