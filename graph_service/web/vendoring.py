"""Vendors the workbench's front-end libraries from the npm registry (``make vendor``).

Reads ``graph_service/web/vendor.json``; for each package runs ``npm pack NAME@VERSION`` in a
temporary folder, unpacks the tarball and copies the listed files (with the licence) to
``graph_service/web/static/vendor/NAME@VERSION/``. Folders of versions no longer listed are
removed. ``static/vendor/vendor.lock.json`` records each tarball's registry integrity and the
SHA-256 of every copied file, so a review sees exactly what changed.

The output is committed: the service never downloads anything at run or test time, because
the networks it serves (政务外网/内网) have no internet.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

# A developer's tool run in a checkout (``make vendor``): it writes into the source tree.
WEB = Path(__file__).resolve().parent
MANIFEST = WEB / "vendor.json"
VENDOR = WEB / "static" / "vendor"
LOCK = VENDOR / "vendor.lock.json"


def main() -> int:
    """Vendors every package of the manifest; exit code 1 on the first failure."""
    packages = json.loads(MANIFEST.read_text("utf-8"))["packages"]
    VENDOR.mkdir(parents=True, exist_ok=True)
    lock = {}
    for package in packages:
        spec = f"{package['name']}@{package['version']}"
        try:
            lock[spec] = vendor(package)
        except (subprocess.CalledProcessError, KeyError, OSError) as error:
            print(f"vendor: {spec}: {error}", file=sys.stderr)
            return 1
        print(f"vendored {spec}: {', '.join(package['files'])}")
    remove_unlisted(set(lock))
    LOCK.write_text(json.dumps(lock, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0


def vendor(package: dict[str, Any]) -> dict[str, Any]:
    """Packs one package from the registry and copies its listed files; returns its lock entry."""
    spec = f"{package['name']}@{package['version']}"
    target = VENDOR / spec
    with tempfile.TemporaryDirectory(prefix="vendor-") as tmp:
        packed = npm_pack(spec, Path(tmp))
        with tarfile.open(Path(tmp) / packed["filename"]) as tar:
            tar.extractall(tmp, filter="data")  # the data filter refuses links and absolute paths
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        files = {}
        for name in package["files"]:
            source = Path(tmp) / "package" / name
            shutil.copyfile(source, target / source.name)  # a file the package lacks: OSError
            files[source.name] = hashlib.sha256(source.read_bytes()).hexdigest()
    return {"integrity": packed["integrity"], "license": package["license"], "files": files}


def npm_pack(spec: str, folder: Path) -> dict[str, Any]:
    """``npm pack SPEC --json`` in ``folder``: the tarball's file name and integrity."""
    done = subprocess.run(  # noqa: S603 - a fixed program with the manifest's package spec
        ["npm", "pack", spec, "--json", "--silent"],  # noqa: S607 - npm from PATH, as a developer runs it
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)[0]  # type: ignore[no-any-return]


def remove_unlisted(specs: set[str]) -> None:
    """Deletes vendored folders whose package version left the manifest."""
    for folder in VENDOR.iterdir():
        if folder.is_dir() and folder.name not in specs:
            shutil.rmtree(folder)
            print(f"removed {folder.name} (not in vendor.json)")


if __name__ == "__main__":
    sys.exit(main())
