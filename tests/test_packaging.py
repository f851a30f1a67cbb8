"""What ships: the compose file's structure and the wheel (CLI, Cypher files and mappings found,
and no Cypher that only tests or benchmarks run)."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import yaml

from graph_service.settings import Settings
from tests.conftest import ROOT, TEST_CYPHER

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_runs_neo4j_526_community_with_healthcheck_and_named_volume() -> None:
    neo4j = COMPOSE["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert "test" in neo4j["healthcheck"]
    volume = neo4j["volumes"][0].split(":")[0]
    assert volume in COMPOSE["volumes"]


def test_compose_builds_the_api_from_the_dockerfile_and_waits_for_neo4j() -> None:
    api = COMPOSE["services"]["api"]
    assert api["build"] == "."
    assert (ROOT / "Dockerfile").is_file()
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert api["environment"]["CREDIT_GRAPH_NEO4J_URI"] == "bolt://neo4j:7687"


def test_compose_has_no_default_password() -> None:
    auth = COMPOSE["services"]["neo4j"]["environment"]["NEO4J_AUTH"]
    password = COMPOSE["services"]["api"]["environment"]["CREDIT_GRAPH_NEO4J_PASSWORD"]
    for value in (auth, password):
        # ${VAR:?message} makes compose refuse to start when the variable is unset.
        assert re.search(r"\$\{NEO4J_PASSWORD:\?[^}]*\}", value), value


def test_compose_environment_names_real_settings() -> None:
    fields = {f"CREDIT_GRAPH_{name.upper()}" for name in Settings.model_fields}
    names = set(COMPOSE["services"]["api"]["environment"])
    assert names <= fields


def test_compose_keeps_the_receipt_key_on_a_named_volume() -> None:
    api = COMPOSE["services"]["api"]
    key_file = PurePosixPath(api["environment"]["CREDIT_GRAPH_RECEIPT_KEY_FILE"])
    mounts = dict(volume.split(":")[:2][::-1] for volume in api["volumes"])  # target → source
    folder = str(key_file.parent)
    assert folder in mounts, f"{folder} is not a mounted volume"
    assert mounts[folder] in COMPOSE["volumes"]  # named: survives restarts and rebuilds
    # The image creates the mount point owned by the service user, so the key can be written.
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(rf"install -d -o credit-graph -g credit-graph -m 0700 {folder}\b", dockerfile)


def test_the_image_can_render_chinese_pdf_reports() -> None:
    # WeasyPrint needs Pango at run time, and the reports embed Noto CJK for their Chinese text:
    # the same Debian packages `make system-deps` installs on a developer's machine.
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    final_stage = dockerfile.rsplit("\nFROM ", 1)[1]
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-noto-cjk"):
        assert re.search(rf"apt-get install .*{re.escape(package)}", final_stage), package


def _cypher_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*.cypher")}


def test_wheel_ships_cli_cypher_and_launcher(tmp_path: Path) -> None:
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(ROOT)],
        check=True,
    )
    (wheel,) = wheel_dir.glob("credit_graph-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "cypher/meta/schema_version.cypher" in names
    # Exactly the shipped Cypher: none of the statements only tests or benchmarks run.
    shipped = {n.removeprefix("cypher/") for n in names if n.endswith(".cypher")}
    assert shipped == _cypher_files(ROOT / "cypher")
    assert not shipped & (_cypher_files(TEST_CYPHER) | _cypher_files(ROOT / "bench" / "cypher"))
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]
    assert "graph_service/neo4j-embedded/pom.xml" in names
    assert any(n.startswith("loaders/") for n in names)
    assert any(n.endswith("entry_points.txt") for n in names)

    # Install into a separate target and run from outside the repository, so that only the
    # installed copy (not the source tree) can be imported.
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    probe = (
        "import graph_service, graph_service.queries as q, graph_service.embedded as e;"
        "import loaders.mapping as m;"
        "print(graph_service.__file__); print(q.cypher_root()); print(e.launcher_source());"
        "print(m.MAPPINGS_DIR); print(len(q.get_registry().names())); print(len(m.all_mappings()))"
    )
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    module, cypher, launcher, mappings, count, kinds = done.stdout.split()
    assert module.startswith(str(target)) and cypher.startswith(str(target))
    assert launcher.startswith(str(target)) and mappings.startswith(str(target))
    assert int(count) == len(_cypher_files(ROOT / "cypher")) > 10
    assert int(kinds) == len(list((ROOT / "loaders" / "mappings").glob("*.yaml")))
    helped = subprocess.run(
        [sys.executable, "-m", "graph_service.cli", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert helped.returncode == 0 and "neo4j" in helped.stdout
