"""``credit-graph receipt verify|key``: check receipts offline, publish the public key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from graph_service.cli.common import echo_json, settings
from graph_service.errors import ConfigError, InvalidInput
from graph_service.report.verification import is_report, read_document, verify_report
from graph_service.security.signing import load_or_create, load_public_key, verify_receipt

_PUBLIC_KEY_HELP = (
    "The service's public key: the JSON of GET /v1/receipt-key, a PEM file, or base64."
    " Default: the public half of this installation's signing key."
)
app = typer.Typer(help="Check receipts: verify one, show the public key.", no_args_is_help=True)


@app.command("verify")
def verify_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="A check's JSON response, saved as received; or a credit report: its PDF, "
            "HTML or JSON, or its verification block."
        ),
    ],
    public_key: Annotated[Path | None, typer.Option("--public-key", help=_PUBLIC_KEY_HELP)] = None,
) -> None:
    """Verify a check's receipt or a credit report: exit 0 if it is exactly as signed."""
    answer = _read_answer(file)
    key = load_public_key(public_key.read_text("utf-8")) if public_key else _local_public_key()
    if is_report(answer):  # graph_service/report/verification.py says what is verified
        typer.echo(verify_report(answer, key))
        return
    verify_receipt(answer, key)
    typer.echo(
        f"receipt OK: check {answer.get('check_id')} signed by key {answer['receipt']['key_id']}"
    )


@app.command()
def key() -> None:
    """Print this installation's receipt public key (creating the key pair if missing)."""
    echo_json(load_or_create(settings().effective_receipt_key_file).public_key_json())


def _read_answer(file: Path) -> dict[str, Any]:
    try:
        content = file.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc}") from None
    return read_document(content, str(file))  # JSON, or the data inside a PDF/HTML report


def _local_public_key() -> Ed25519PublicKey:
    path = settings().effective_receipt_key_file
    if not path.exists():
        raise ConfigError(f"no signing key at {path}: pass --public-key (from GET /v1/receipt-key)")
    return load_or_create(path).public_key
