"""The joint-sanction check (docs/checks.md): one package, three thin edges over it.

* :mod:`~graph_service.check.request` — what a caller may send (a check, feedback) and its
  validation;
* :mod:`~graph_service.check.evaluate` — the decisions (policy §4–5);
* :mod:`~graph_service.check.service` — :class:`CheckService`: evaluate, mask, sign, audit
  and store a check; read a stored check; record feedback;
* :mod:`~graph_service.check.feedback` — what feedback may name, and its stored form;
* :mod:`~graph_service.check.snapshot`, :mod:`~graph_service.check.snapshot_build`,
  :mod:`~graph_service.check.snapshot_eval` — the host's decision snapshot today's checks
  read, kept equal to the newest propagation run.

REST (``graph_service/api/checks.py``), GraphQL (``graph_service/gql/sanction_check.py``) and
the CLI (``graph_service/cli/check_cmd.py``) parse their input, call the service and shape its
answer; nothing else. The evaluation function is not re-exported here (it would hide the
module of the same name): the service takes it from :func:`get_evaluator`.
"""

from graph_service.check.evaluate import CheckResult, PartyResult
from graph_service.check.feedback import validate_feedback
from graph_service.check.request import (
    CONTEXTS,
    CheckRequest,
    FeedbackRequest,
    InvalidCheckRequest,
    NotApplied,
    parse_request,
)
from graph_service.check.service import CheckService, Evaluator, check_service, get_evaluator

__all__ = [
    "CONTEXTS",
    "CheckRequest",
    "CheckResult",
    "CheckService",
    "Evaluator",
    "FeedbackRequest",
    "InvalidCheckRequest",
    "NotApplied",
    "PartyResult",
    "check_service",
    "get_evaluator",
    "parse_request",
    "validate_feedback",
]
