"""Structured logging: one JSON object per line on stderr.

The access log (uvicorn's ``uvicorn.access`` logger) names each request's path without its
query string (:func:`hide_query_strings`): a query string may carry party ids or a purpose
(a GraphQL query sent with GET, which the service refuses — but only after the request line
was logged), and logs are kept longer and read by more people than the audit log's entries.
For the same reason a party id in a path (``/v1/reports/{party_id}``,
``/v1/parties/{party_id}/why-not``) is logged as its template: a person's id number is
personal data, and the audit log already records who asked for whom.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is logged as a field.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
#: The logger of uvicorn's access log: one line per answered request.
ACCESS_LOGGER = "uvicorn.access"
#: A query string inside a request line ``"GET /path?query HTTP/1.1"``: up to the next space
#: or quote, which a URL cannot hold unescaped.
_QUERY_STRING = re.compile(r'\?[^\s"]*')
#: A party id as a path segment of the REST routes that take one.
_PARTY_IN_PATH = re.compile(r'(/v1/(?:reports|parties)/)[^/?\s"]+')


class JsonFormatter(logging.Formatter):
    """Formats a record as JSON with time, level, logger, message and the ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class WithoutQueryStrings(logging.Filter):
    """Cuts the query string from every access log line, so no value sent in a URL is logged,
    and logs a party id in a path as ``{party_id}``.

    >>> record = logging.makeLogRecord({"msg": '%s - "%s %s HTTP/%s" %d',
    ...     "args": ("127.0.0.1:5000", "GET", "/graphql?query=%7Bparty%7D", "1.1", 405)})
    >>> WithoutQueryStrings().filter(record), record.getMessage()
    (True, '127.0.0.1:5000 - "GET /graphql HTTP/1.1" 405')
    >>> path = "/v1/parties/110101199003074477/why-not?context=x"
    >>> record = logging.makeLogRecord({"msg": '%s - "%s %s HTTP/%s" %d',
    ...     "args": ("127.0.0.1:5000", "GET", path, "1.1", 200)})
    >>> WithoutQueryStrings().filter(record), record.getMessage()
    (True, '127.0.0.1:5000 - "GET /v1/parties/{party_id}/why-not HTTP/1.1" 200')
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Cuts the path argument of uvicorn's line at ``?`` (any other line: the formatted
        message at every ``?``) and keeps the record."""
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (*args[:2], _without_values(args[2]), *args[3:])
        else:
            record.msg, record.args = _without_values(record.getMessage()), None
        return True


def _without_values(text: str) -> str:
    """``text`` with query strings cut and party ids in paths replaced by their template."""
    return _PARTY_IN_PATH.sub(r"\1{party_id}", _QUERY_STRING.sub("", text))


def hide_query_strings() -> None:
    """Puts :class:`WithoutQueryStrings` on the access logger (once). A filter on the logger
    itself stays when a server configures logging its own way (``uvicorn``'s default
    configuration replaces handlers, not filters)."""
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, WithoutQueryStrings) for f in access.filters):
        access.addFilter(WithoutQueryStrings())


def configure(level: str = "INFO") -> None:
    """Routes every logger to stderr as JSON lines at ``level``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The driver logs every retry at WARNING with a stack; our own message says enough.
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    hide_query_strings()
