"""The security machinery of one app: key store, rate limiter, audit log, receipt signer.

Made in the app's lifespan (``app.state.security``) over the app's database, closed at
shutdown (which flushes the audit queue).
"""

from __future__ import annotations

import logging
import threading

from fastapi import Request

from graph_service.db import Database
from graph_service.errors import ConfigError
from graph_service.security.appender import AuditLog
from graph_service.security.keys import KeyStore
from graph_service.security.local_audit import LocalAuditLog
from graph_service.security.ratelimit import RateLimiter
from graph_service.security.signing import ReceiptSigner, load_or_create
from graph_service.settings import Settings

log = logging.getLogger(__name__)


class Security:
    """Everything the security dependencies of one app share."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.keys = KeyStore(db, settings.api_key_cache_s)
        self.limiter = RateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst)
        self.audit = AuditLog(db, settings.audit_batch_max, settings.audit_timeout_s)
        #: The host's local log for check entries, when the app keeps one (set in its lifespan).
        self.local_audit: LocalAuditLog | None = None
        self.audit_timeout_s = settings.audit_timeout_s
        self._signer: ReceiptSigner | None = None
        self._signer_lock = threading.Lock()

    @property
    def signer(self) -> ReceiptSigner:
        """The receipt signer, its key read (or created) on first use."""
        with self._signer_lock:
            if self._signer is None:
                self._signer = self._load_signer()
            return self._signer

    def _load_signer(self) -> ReceiptSigner:
        """Loads the key; a failure is logged in full but answered without the file's path."""
        try:
            return load_or_create(self.settings.effective_receipt_key_file)
        except (ConfigError, OSError) as exc:
            log.error("receipt signing key unavailable", extra={"error": str(exc)})
            raise ConfigError("the receipt signing key cannot be loaded; see the log") from exc

    def close(self) -> None:
        """Writes the queued audit entries and stops the writers."""
        if self.local_audit is not None:
            self.local_audit.close()
        self.audit.close()


def security_of(request: Request) -> Security:
    """The app's :class:`Security` (FastAPI dependency)."""
    security: Security = request.app.state.security
    return security
