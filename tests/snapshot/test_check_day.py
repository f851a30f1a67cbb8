"""A check's day: decided once per check, so the event-loop path never reads Neo4j when the
clock passes midnight, and an ID number's validity (a birth date not in the future) follows
the day even though party kinds are cached."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from graph_service import identifiers
from graph_service.check import evaluate, snapshot_eval
from tests.snapshot.conftest import HUABEI, check


class _Tomorrow(date):
    """A clock already past midnight."""

    @classmethod
    def today(cls) -> _Tomorrow:
        real = date.today()
        return cls(real.year, real.month, real.day) + timedelta(days=1)  # type: ignore[return-value]


def test_a_check_decided_today_is_answered_from_the_snapshot_after_midnight(
    client: TestClient, checker: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    check(client, checker, HUABEI)  # the service started, its snapshot ready
    # Midnight passes after the service decided the check's day, before the evaluation.
    monkeypatch.setattr(snapshot_eval, "date", _Tomorrow)
    answer = check(client, checker, HUABEI)
    assert answer["as_of"] == date.today().isoformat()
    assert answer["run_id"] is not None, "decided by a Neo4j read on the event loop"
    assert answer["results"][0]["decision"] == "deny"


def test_an_id_number_born_tomorrow_is_invalid_today_and_valid_tomorrow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    today = date.today()
    tomorrow = today + timedelta(days=1)
    first17 = f"130102{tomorrow:%Y%m%d}835"
    code = first17 + identifiers.id_check_char(first17)
    monkeypatch.setattr(identifiers, "_today", lambda: today)
    assert evaluate.party_kind(code) is None  # a birth date in the future
    monkeypatch.setattr(identifiers, "_today", lambda: tomorrow)
    assert evaluate.party_kind(code) == "person"
