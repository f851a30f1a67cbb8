"""Fixtures of the credit-report tests: the sample registries loaded and propagated, the
service over them (tests/graphql's server, keys of every role), and PDF text extraction.

The PDF is read back with poppler's ``pdftotext`` and ``pdffonts`` (Debian's poppler-utils,
installed by ``make system-deps``): what a reader of the file gets, not what we meant to draw.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from graph_service import migrations
from graph_service.db import Database
from graph_service.propagation.runner import run_full
from graph_service.security.auth import API_KEY_HEADER
from loaders.engine import LoadOptions, load_directory
from tests.graphql.conftest import SAMPLES, TODAY, Api, api

__all__ = ["api"]  # the running service of tests/graphql, shared by this package


@pytest.fixture(scope="module")
def world(session_db: Database, api: Api, tmp_path_factory: pytest.TempPathFactory) -> Database:
    """The sample registries loaded and propagated for the session's day (real measures, as a
    run stores them), once per module; a report for that day takes them as stored."""
    migrations.reset(session_db)
    api.issue_keys(session_db)
    load_directory(session_db, SAMPLES, LoadOptions(reject_dir=tmp_path_factory.mktemp("rej")))
    run_full(session_db, as_of=TODAY)  # asked for by day below, even after midnight
    return session_db


def get_report(
    api: Api, party: str, role: str | None = "investigator", **params: str
) -> httpx.Response:
    """``GET /v1/reports/{party}`` with the key of ``role`` (none when ``role`` is None)."""
    headers = {API_KEY_HEADER: api.keys[role]} if role else {}
    return api.client.get(f"{api.url}/v1/reports/{party}", params=params, headers=headers)


def pdf_text(pdf: bytes, tmp_path: Path) -> list[str]:
    """The text of each page of ``pdf``, as pdftotext extracts it."""
    path = tmp_path / "extracted.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout.split("\f")[:-1]  # a form feed ends every page


def pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    """``pdffonts`` of ``pdf``: one line per font, with whether it is embedded."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    return out.stdout
