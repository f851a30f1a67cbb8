"""The catalog's ``due_process.notices``: read into the catalog in force, and a bad one refused
at load time in one line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service.errors import PolicyError
from graph_service.policy.catalog import default_catalog, load_catalog
from tests.notices.conftest import quick_catalog_file


def test_the_packaged_catalog_says_365_days_and_24_hours_of_retries() -> None:
    notices = default_catalog().notices
    assert notices.window_days == 365
    assert notices.retry.horizon_s == 24 * 3600
    assert notices.retry.delay_s(1) < notices.retry.delay_s(2) <= notices.retry.max_delay_s


@pytest.mark.parametrize(
    ("retry", "place"),
    [
        ("{first_delay_s: 60, growth: 0.5, max_delay_s: 3600, horizon_s: 86400}", "growth"),
        ("{first_delay_s: 0, growth: 2, max_delay_s: 3600, horizon_s: 86400}", "first_delay_s"),
        ("{first_delay_s: 60, growth: 2, max_delay_s: 30, horizon_s: 86400}", "max_delay_s"),
        ("{first_delay_s: 60, growth: 2, max_delay_s: 3600}", "horizon_s: missing"),
        ("{first_delay_s: 60, growth: 2, max_delay_s: 3600, horizon_s: 1, every: 2}", "every"),
    ],
)
def test_a_bad_retry_schedule_is_refused_naming_the_key(
    tmp_path: Path, retry: str, place: str
) -> None:
    with pytest.raises(PolicyError, match=r"due_process\.notices\.retry") as refused:
        load_catalog(quick_catalog_file(tmp_path, retry))
    assert place in str(refused.value) and "\n" not in str(refused.value)
