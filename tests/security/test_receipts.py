"""Receipts: signed answers, the public key endpoint, offline verification (also by CLI)."""

from __future__ import annotations

import json
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from graph_service.errors import ReceiptInvalid
from graph_service.security.canonical import canonical_json
from graph_service.security.roles import Role
from graph_service.security.signing import (
    ReceiptSigner,
    load_or_create,
    load_public_key,
    verify_receipt,
)
from graph_service.settings import Settings
from tests.conftest import cli_env, run_cli
from tests.security.conftest import COMPANY, PERSON, MakeKey, auth, check_body


def _answer(client: TestClient, make_key: MakeKey) -> dict[str, Any]:
    body = check_body(parties=[COMPANY, PERSON])
    response = client.post("/v1/checks", json=body, headers=auth(make_key(Role.CHECKER)))
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_receipt_key_is_public_and_matches_the_receipts(
    client: TestClient, make_key: MakeKey
) -> None:
    published = client.get("/v1/receipt-key")
    assert published.status_code == 200
    key = published.json()
    assert key["algorithm"] == "Ed25519" and len(key["key_id"]) == 16
    answer = _answer(client, make_key)
    assert answer["receipt"]["key_id"] == key["key_id"]
    verify_receipt(answer, load_public_key(published.text))


def test_the_body_sent_is_the_canonical_json_of_the_signed_answer(
    client: TestClient, make_key: MakeKey
) -> None:
    body = check_body(parties=[COMPANY, PERSON])
    response = client.post("/v1/checks", json=body, headers=auth(make_key(Role.CHECKER)))
    assert response.text == canonical_json(response.json()).decode("utf-8")


_TEXT = st.text(alphabet=st.sampled_from('a"\\,:{}张 \n'), max_size=12)
_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), _TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_TEXT, inner, max_size=3)),
    max_leaves=12,
)
_SIGNER = ReceiptSigner(Ed25519PrivateKey.generate())


@examples(max_examples=200, deadline=None)
@given(_TEXT, _TEXT, _VALUE)
def test_sign_json_writes_the_answer_and_its_receipt_as_canonical_json(
    check_id: str, context: str, results: Any
) -> None:
    # Text that looks like a receipt inside the values must not be taken for it.
    answer = {"check_id": check_id, "context": context, "results": results,
              "as_of": ',"receipt":{"algorithm":"Ed25519"', "run_id": {"receipt": 1}}  # fmt: skip
    receipt, text = _SIGNER.sign_json(answer)
    assert text == canonical_json({**answer, "receipt": receipt})
    assert receipt == _SIGNER.sign(answer)  # Ed25519 signatures are deterministic
    verify_receipt(json.loads(text), _SIGNER.public_key)


@examples(max_examples=200, deadline=None)
@given(_TEXT, _VALUE, _VALUE)
def test_members_given_as_canonical_text_sign_and_read_as_the_objects_would(
    check_id: str, results: Any, run_id: Any
) -> None:
    # A check's results joined from stored fragments arrive as canonical JSON text: the
    # receipt and the body must be byte for byte those of the parsed objects.
    answer = {"check_id": check_id, "results": results, "run_id": run_id,
              "as_of": ',"receipt":{"algorithm":"Ed25519"'}  # fmt: skip
    given_raw = {"results": canonical_json(results), "run_id": canonical_json(run_id)}
    rest = {k: v for k, v in answer.items() if k not in given_raw}
    receipt, text = _SIGNER.sign_json(rest, raw=given_raw)
    assert (receipt, text) == _SIGNER.sign_json(answer)
    verify_receipt(json.loads(text), _SIGNER.public_key)


@examples(max_examples=100, deadline=None)
@given(_TEXT, _VALUE)
def test_the_body_is_the_canonical_utf8_whether_results_are_given_or_not(
    check_id: str, results: Any
) -> None:
    # What a check sends and stores: the results joined as UTF-8, the body as UTF-8 bytes.
    answer = {"check_id": check_id, "context": "张", "results": results}
    receipt = _SIGNER.sign(answer)
    body = canonical_json({**answer, "receipt": receipt})
    rest = {k: v for k, v in answer.items() if k != "results"}
    given_raw = {"results": canonical_json(results)}
    assert _SIGNER.sign_json(rest, raw=given_raw) == (receipt, body)
    assert _SIGNER.sign_json(answer) == (receipt, body)


def test_a_raw_member_whose_place_cannot_be_told_is_refused() -> None:
    # The answer itself holding the member's place-holding text: splicing could misplace it.
    answer = {"check_id": "c1", "context": "\x00raw member results\x00"}
    with pytest.raises(ValueError, match="raw member 'results' cannot be placed"):
        _SIGNER.sign_json(answer, raw={"results": b"[]"})


def test_signing_key_file_is_private_and_reused(settings: Settings) -> None:
    path = settings.effective_receipt_key_file
    with ThreadPoolExecutor(4) as pool:  # several workers starting at once agree on one key
        ids = set(pool.map(lambda _: load_or_create(path).key_id, range(8)))
    assert len(ids) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create(path).key_id in ids


def test_cli_verifies_a_saved_answer_and_refuses_a_changed_byte(
    client: TestClient, make_key: MakeKey, tmp_path: Path
) -> None:
    public = tmp_path / "receipt-key.json"
    public.write_text(client.get("/v1/receipt-key").text, encoding="utf-8")
    saved = tmp_path / "answer.json"
    # Saved pretty-printed: canonical JSON makes the layout irrelevant.
    answer = _answer(client, make_key)
    saved.write_text(json.dumps(answer, ensure_ascii=False, indent=2), encoding="utf-8")
    done = run_cli("receipt", "verify", str(saved), "--public-key", str(public))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"receipt OK: check {answer['check_id']} signed by key {answer['receipt']['key_id']}"
    )
    saved.write_text(saved.read_text("utf-8").replace('"allow"', '"alloW"', 1), "utf-8")
    done = run_cli("receipt", "verify", str(saved), "--public-key", str(public))
    assert done.returncode == 1
    assert done.stderr.startswith("error: the signature does not match the answer")


def test_cli_uses_the_local_key_by_default(
    client: TestClient, make_key: MakeKey, settings: Settings, tmp_path: Path
) -> None:
    saved = tmp_path / "answer.json"
    saved.write_text(json.dumps(_answer(client, make_key)), encoding="utf-8")
    env = cli_env(CREDIT_GRAPH_RECEIPT_KEY_FILE=str(settings.effective_receipt_key_file))
    assert run_cli("receipt", "verify", str(saved), env=env).returncode == 0
    other = cli_env(CREDIT_GRAPH_RECEIPT_KEY_FILE=str(tmp_path / "other.pem"))
    run_cli("receipt", "key", env=other)  # another installation's key
    done = run_cli("receipt", "verify", str(saved), env=other)
    assert done.returncode == 1
    assert "the public key given is" in done.stderr


def test_a_receipt_covers_every_field_of_the_answer(client: TestClient, make_key: MakeKey) -> None:
    key = load_public_key(client.get("/v1/receipt-key").text)
    answer = _answer(client, make_key)
    for field, value in [("as_of", "2000-01-01"), ("context", "exit"), ("catalog_version", "9")]:
        with pytest.raises(ReceiptInvalid, match="does not match"):
            verify_receipt({**answer, field: value}, key)
