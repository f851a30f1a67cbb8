"""Security and accountability around the sanction check (issue 5, docs/security.md).

* :mod:`.roles` — roles and the typed :class:`~.roles.Caller` (pure).
* :mod:`.keys` — API keys: format, hashing, the key store with its short in-process cache.
* :mod:`.auth` — FastAPI dependencies: ``require_role(...)`` authenticates and rate-limits.
* :mod:`.ratelimit` — token buckets per key (pure); :mod:`.bodylimit` — the body size limit.
* :mod:`.masking` — personal-data minimisation for the ``checker`` role (pure).
* :mod:`.audit` — the tamper-evident audit chain (pure) and its verification;
  :mod:`.appender` — the group-commit writer; :mod:`.audit_read` — show and export.
* :mod:`.signing` — Ed25519 receipts over canonical JSON (:mod:`.canonical`).
* :mod:`.state` — the per-app holder of all of the above.
"""
