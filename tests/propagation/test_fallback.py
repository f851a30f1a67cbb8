"""An incremental run whose scope is too large runs the full computation instead (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service.db import Database
from graph_service.propagation import runner, store
from tests.propagation.sample import TODAY
from tests.propagation.test_runner import ORDER, _load, _state

LATE = ["shareholdings", "officers", "dishonest_debtors"]


def _with_share(db: Database, monkeypatch: pytest.MonkeyPatch, share: float) -> None:
    """Sets ``propagation_full_above``; no small-scope floor, so the test graph's size counts."""
    monkeypatch.setattr(
        db, "settings", db.settings.model_copy(update={"propagation_full_above": share})
    )
    monkeypatch.setattr(store, "SMALL_SCOPE", 0)


@pytest.mark.parametrize(("share", "mode"), [(0.0, "full"), (1.0, "incremental")])
def test_a_load_beyond_the_share_is_propagated_by_a_full_run(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share: float, mode: str
) -> None:
    _load(db, [k for k in ORDER if k not in LATE], tmp_path)
    runner.run_full(db, as_of=TODAY)
    _with_share(db, monkeypatch, share)
    after = runner.after_loads(db, _load(db, LATE, tmp_path), as_of=TODAY)
    state = _state(db)
    full = runner.run_full(db, as_of=after.as_of)
    assert after.mode == mode and after.gained > 0
    assert not store.pending_loads(db)  # the fallback completed the loads, as incremental does
    assert (full.gained, full.lost, full.changed, full.risk_changed) == (0, 0, 0, 0)
    assert _state(db) == state
