"""GraphQL ``sanctionCheck`` runs the check API's pipeline: an evaluation plugged in for
``POST /v1/checks`` answers it too, and its failures are answered without internals."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from graph_service.check import CheckResult
from graph_service.security.roles import Role
from tests.security.conftest import (
    OFFICER_BAN,
    PERSON,
    MakeKey,
    auth,
    person_evaluator,
    use_evaluator,
)

CHECK = """{
  sanctionCheck(context: "bidding", parties: ["%s"], purpose: "bid 17") {
    ... on SanctionCheck {
      results { name measures { until record { ref } path { partyId name } } }
    }
  }
}"""


def test_the_plugged_in_evaluation_answers_graphql_masked_for_checkers(
    app: FastAPI, client: TestClient, make_key: MakeKey
) -> None:
    use_evaluator(app, person_evaluator([OFFICER_BAN]))
    headers = auth(make_key(Role.CHECKER))
    response = client.post("/graphql", json={"query": CHECK % PERSON}, headers=headers)
    assert response.status_code == 200, response.text
    [result] = response.json()["data"]["sanctionCheck"]["results"]
    assert result["name"] == "张*"
    [measure] = result["measures"]
    assert measure["until"] == "2027-05-31"
    assert measure["record"]["ref"] == "(2023)冀0102执1号|1301**********8350"
    assert measure["path"][1] == {"partyId": "1301**********8350", "name": "张*"}


def test_an_evaluation_failure_is_check_failed_without_internals(
    app: FastAPI, client: TestClient, make_key: MakeKey
) -> None:
    def broken(*args: object) -> CheckResult:
        raise RuntimeError("bolt://secret-host:7687 password=hunter2")

    use_evaluator(app, broken)
    headers = auth(make_key(Role.CHECKER))
    response = client.post("/graphql", json={"query": CHECK % PERSON}, headers=headers)
    assert response.status_code == 500
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "check_failed"
    assert "reference" in error["message"]
    assert "secret" not in response.text and "hunter2" not in response.text
