"""Webhooks of stop-sharing notices: the subscriptions API keys register, the signature of a
delivery, the secrets kept to make it, and one HTTP attempt.

Invariants (docs/due-process.md, "Webhooks"):

* A subscription belongs to one API key; a key sees and deletes only its own. Its URL is
  http(s) and does not point at the service itself (:func:`url_refusal`); its secret has at
  least :data:`MIN_SECRET_BYTES` bytes and is never returned.
* The secret is kept so that it can sign: HMAC needs the secret itself, so it cannot be
  hashed like an API key. It is stored encrypted (AES-GCM, :class:`SecretBox`) with a key held
  outside the database (``Settings.notice_key_file``), bound to its subscription id, so a
  copy of the database alone yields no secret and a box moved to another subscription does
  not open.
* A delivery is a ``POST`` of the notice's canonical JSON with ``X-Credit-Graph-Notice-Id``
  and ``X-Credit-Graph-Signature: sha256=<hex HMAC-SHA256 of the raw body>`` (:func:`sign`);
  only a 2xx answer acknowledges it. Redirects are not followed (a 3xx is a failure): the
  URL registered is the one that receives notices.
* Creating and deleting a subscription are audited (``subscription_created`` /
  ``subscription_deleted``) with their rows, in the entry's transaction.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import socket
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from graph_service.db import Database
from graph_service.errors import ConfigError, InvalidInput, NotFound
from graph_service.security.appender import Attachment, AuditLog
from graph_service.security.audit import Actor, now_stamp
from graph_service.settings import Settings

#: Shortest secret accepted, in bytes (UTF-8): 128 bits.
MIN_SECRET_BYTES: Final = 16
#: Longest URL accepted.
MAX_URL_CHARS: Final = 2048
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
_H16 = r"[0-9A-Fa-f]{1,4}"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_LS32 = rf"(?:{_H16}:{_H16}|{_OCTET}(?:\.{_OCTET}){{3}})"


def _ipv6_forms() -> str:
    """RFC 3986's IPv6address, its nine forms in its order: up to ``n`` groups before ``::``
    (``head(n)``) and what may follow."""

    def head(n: int) -> str:
        return rf"(?:(?:{_H16}:){{0,{n - 1}}}{_H16})?" if n else ""

    after = [rf"(?:{_H16}:){{{k}}}{_LS32}" for k in (5, 4, 3, 2)]
    forms = [rf"(?:{_H16}:){{6}}{_LS32}", f"::{after[0]}", rf"(?:{_H16})?::{after[1]}"]
    forms += [f"{head(2)}::{after[2]}", f"{head(3)}::{after[3]}"]
    forms += [rf"{head(4)}::{_H16}:{_LS32}", f"{head(5)}::{_LS32}", f"{head(6)}::{_H16}"]
    return "|".join([*forms, f"{head(7)}::"])


#: An IPv6 literal in brackets, exactly as RFC 3986 writes it (e.g. ``[fd00::8]``): government
#: networks number hosts in IPv6 too. Exact, because the API's schema publishes this pattern
#: and a client that follows it must not be refused.
_IPV6 = rf"\[(?:{_ipv6_forms()})\]"
#: The URLs a subscription may name, as the API's schema says: http(s), a host name, an IPv4
#: address or a bracketed IPv6 one, an optional port 1-65535, then any path and query (no
#: user or password).
URL_PATTERN: Final = (
    rf"^[Hh][Tt][Tt][Pp][Ss]?://(?:{_LABEL}(?:\.{_LABEL})*|{_IPV6})(?::{_PORT})?(?:[/?#]\S*)?$"
)
#: The headers of a delivery.
NOTICE_ID_HEADER: Final = "X-Credit-Graph-Notice-Id"
SIGNATURE_HEADER: Final = "X-Credit-Graph-Signature"
#: Host names that mean "this machine" when the service listens on all addresses.
_LOCAL_NAMES: Final = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
#: Most characters of a receiver's error kept in a delivery's record.
_ERROR_CHARS: Final = 200


def sign(body: bytes, secret: str) -> str:
    """The signature header's value for ``body``: ``sha256=`` and the hex HMAC-SHA256.

    >>> sign(b'{"notice_id":"n1"}', "0123456789abcdef")
    'sha256=1db026b8458a3f0271c602d3cc195abb4fa4aad404624b648d5c1e7809873a55'
    """
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def secret_refusal(secret: str) -> str | None:
    """Why ``secret`` cannot sign notices; None when it can.

    >>> secret_refusal("short"), secret_refusal("0123456789abcdef")
    ('must be at least 16 bytes (got 5)', None)
    """
    size = len(secret.encode("utf-8"))
    if size < MIN_SECRET_BYTES:
        return f"must be at least {MIN_SECRET_BYTES} bytes (got {size})"
    return None


def url_refusal(url: str, own: Iterable[str]) -> str | None:
    """Why notices cannot be sent to ``url``; None when they can. ``own``: the service's own
    addresses (``host:port``, base URLs), which a webhook may not point at.

    >>> own = ["http://0.0.0.0:8000", "https://credit.example.gov.cn"]
    >>> url_refusal("ftp://x.example/", own)
    'must be an http or https URL'
    >>> url_refusal("http://127.0.0.1:8000/hook", own), url_refusal("https://credit.example.gov.cn/x", own)
    ('points at this service itself', 'points at this service itself')
    >>> url_refusal("http://127.0.0.1:9000/hook", own) is None
    True
    >>> url_refusal("http://[::1]:8000/hook", own), url_refusal("http://[fd00::8]:8000/", own)
    ('points at this service itself', None)
    >>> url_refusal("http://[fd00::zz]/hook", own)
    'is not a valid URL'
    """  # noqa: E501 - doctest lines
    if len(url) > MAX_URL_CHARS:
        return f"must be at most {MAX_URL_CHARS} characters"
    try:
        parts = urlsplit(url)
        target = _endpoint(parts.scheme, parts.hostname, parts.port)
        if parts.netloc.rpartition("@")[2].startswith("["):
            ipaddress.IPv6Address(parts.hostname or "")  # urlsplit checks only some versions
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http or https URL"
    if parts.username or parts.password:
        return "must not carry a user name or password (sign with the secret instead)"
    if any(_same(target, mine) for mine in _own_endpoints(own)):
        return "points at this service itself"
    return None


def own_addresses(settings: Settings, request_base: str | None = None) -> list[str]:
    """The service's own addresses: where it listens, its public URL, the base URL a request
    reached it by."""
    found = [f"http://{settings.host}:{settings.port}"]
    found += [u for u in (settings.public_url, request_base) if u]
    return found


def _endpoint(scheme: str, host: str | None, port: int | None) -> tuple[str, int]:
    default = 443 if scheme == "https" else 80
    return (host or "").lower().strip("[]"), port or default


def _own_endpoints(own: Iterable[str]) -> list[tuple[str, int]]:
    found = []
    for url in own:
        parts = urlsplit(url if "//" in url else f"http://{url}")
        found.append(_endpoint(parts.scheme, parts.hostname, parts.port))
    return found


def _same(target: tuple[str, int], mine: tuple[str, int]) -> bool:
    """Whether ``target`` reaches ``mine``: same port and host, where a service listening on
    every address (0.0.0.0, ::) or on a loopback one is reached by any name of this machine.

    >>> _same(("::ffff:127.0.0.1", 8000), ("127.0.0.1", 8000)), _same(("::", 8000), ("0.0.0.0", 8000))
    (True, True)
    >>> _same(("127.1", 8000), ("127.0.0.1", 8000)), _same(("10.0.0.8", 8000), ("127.0.0.1", 8000))
    (True, False)
    """  # noqa: E501 - doctest lines
    if target[1] != mine[1]:
        return False
    return target[0] == mine[0] or (_local(mine[0]) and _local(target[0]))


def _local(host: str) -> bool:
    """Whether a connection to ``host`` stays on this machine: a loopback name or address, the
    unspecified address (connecting to 0.0.0.0 or :: reaches this machine), an IPv4 address
    mapped into IPv6, or one in the short forms the resolver also accepts (``127.1``,
    ``2130706433``)."""
    if host in _LOCAL_NAMES:
        return True
    address = _address(host)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address is not None and (address.is_loopback or address.is_unspecified)


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:  # inet_aton reads what the resolver reads: 127.1, 0x7f.1, 2130706433
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):  # not an address (ValueError: a NUL in the text)
        return None


# --- secrets ---------------------------------------------------------------------------------


class SecretBox:
    """Encrypts webhook secrets for storage and opens them to sign (AES-256-GCM, the
    subscription id as associated data)."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, secret: str, subscription_id: str) -> str:
        """The stored form: base64 of a random 96-bit nonce and the ciphertext."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, secret.encode("utf-8"), subscription_id.encode())
        return base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, box: str, subscription_id: str) -> str:
        """The secret; ConfigError when the box was made with another key or subscription."""
        raw = base64.b64decode(box)
        try:
            plain = self._aead.decrypt(raw[:12], raw[12:], subscription_id.encode())
        except InvalidTag:
            raise ConfigError(
                f"the secret of subscription {subscription_id} does not open with this notice"
                " key: every instance must share CREDIT_GRAPH_NOTICE_KEY_FILE"
            ) from None
        return plain.decode("utf-8")


_create_lock = threading.Lock()


def secret_box(settings: Settings) -> SecretBox:
    """The box of the service's notice key file, creating the key (mode 0600) if needed."""
    path = settings.notice_key_file or settings.home / "notice-secrets.key"
    try:
        with _create_lock:
            if not path.exists():
                _create_key(path)
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the notice key {path}: {exc}") from exc
    if len(key) != 32:
        raise ConfigError(f"{path} must hold 32 bytes as hex (a 256-bit key)")
    return SecretBox(key)


def _create_key(path: Path) -> None:
    """Writes a new key atomically (processes starting together end up with the same one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(AESGCM.generate_key(bit_length=256).hex())
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process was first; its key is the key
    finally:
        temporary.unlink()


# --- subscriptions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    """A webhook as its key sees it (never with its secret)."""

    subscription_id: str
    url: str
    created_at: str

    def as_json(self) -> dict[str, str]:
        """The API's shape."""
        return {"subscription_id": self.subscription_id, "url": self.url,
                "created_at": self.created_at}  # fmt: skip


def validated(url: str, secret: str, own: Sequence[str]) -> None:
    """InvalidInput (422) naming ``url`` or ``secret`` when one cannot be used."""
    for field, problem in (("url", url_refusal(url, own)), ("secret", secret_refusal(secret))):
        if problem is not None:
            raise InvalidInput(f"{field}: {problem}")


def subscription_row(key_id: str, url: str, secret: str, box: SecretBox) -> dict[str, Any]:
    """The ``:Subscription`` node of a new webhook of ``key_id``."""
    subscription_id = str(uuid.uuid4())
    return {
        "subscription_id": subscription_id,
        "key_id": key_id,
        "url": url,
        "secret_box": box.seal(secret, subscription_id),
        "created_at": now_stamp(),
    }


def subscription_payload(row: dict[str, Any]) -> dict[str, Any]:
    """What the audit entry of a created or deleted subscription says (no secret)."""
    return {"subscription_id": row["subscription_id"], "url": row["url"]}


async def create(audit: AuditLog, actor: Actor, row: dict[str, Any]) -> Subscription:
    """Stores the subscription with its audit entry, once that is durable."""
    attachment = Attachment("notices/create_subscriptions", row)
    await audit.append("subscription_created", actor, subscription_payload(row), attachment)
    return Subscription(row["subscription_id"], row["url"], row["created_at"])


def of_key(db: Database, key_id: str) -> list[Subscription]:
    """The key's active subscriptions, oldest first."""
    rows = db.read("notices/subscriptions_of_key", key_id=key_id)
    return [Subscription(r["subscription_id"], r["url"], r["created_at"]) for r in rows]


async def delete(
    audit: AuditLog, actor: Actor, key_id: str, sub_id: str, active: Sequence[Subscription]
) -> None:
    """Deletes the key's subscription ``sub_id`` (its pending deliveries are cancelled),
    audited in the same transaction; NotFound when it is not among the key's ``active`` ones
    (:func:`of_key`)."""
    found = [s for s in active if s.subscription_id == sub_id]
    if not found:
        raise NotFound("no active subscription with this id for this API key")
    row = {"subscription_id": sub_id, "key_id": key_id, "deleted_at": now_stamp()}
    attachment = Attachment("notices/delete_subscriptions", row)
    payload = {"subscription_id": sub_id, "url": found[0].url}
    await audit.append("subscription_deleted", actor, payload, attachment)


# --- one attempt -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt got: the HTTP status (None without an answer), or the error."""

    status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        """Acknowledged: a 2xx answer."""
        return self.status is not None and 200 <= self.status < 300


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is answered as it is: a failure, not a new target


#: No proxies from the environment (a notice goes to the registered URL) and no redirects.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def post(url: str, notice_id: str, body: bytes, secret: str, timeout_s: float) -> Attempt:
    """POSTs ``body`` signed with ``secret``; never raises for what the receiver does."""
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "credit-graph-notices/1",
        NOTICE_ID_HEADER: notice_id,
        SIGNATURE_HEADER: sign(body, secret),
    }
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only (url_refusal)
    try:
        with _OPENER.open(request, timeout=timeout_s) as response:
            return Attempt(int(response.status), None)
    except urllib.error.HTTPError as exc:
        return Attempt(exc.code, f"HTTP {exc.code}")
    except (OSError, ValueError) as exc:  # refused, reset, timed out, bad name …
        return Attempt(None, _short(exc))


def _short(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    text = f"{type(exc).__name__}: {reason}"
    return text[:_ERROR_CHARS]
