"""The parties and request bodies of the check benchmark (bench/checks.py).

The sample mixes what agencies send: parties with stored measures (the interesting answers),
ordinary companies and persons, valid identifiers the graph does not know (``found: false``)
and identifiers failing their check digit (``error: invalid_identifier``). Unknown ids are
made from known ones by changing a serial character and recomputing the check character, and
confirmed absent from the graph.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, datetime
from typing import Any

from graph_service.check import CONTEXTS
from graph_service.identifiers import USCC_ALPHABET, id_check_char, party_kind, uscc_check_char

#: Shares of the single-party mix (the rest, up to 1, are random companies and persons).
SHARE_MEASURED, SHARE_UNKNOWN, SHARE_INVALID = 0.4, 0.05, 0.05
#: Distinct single-party checks the load generator cycles through.
SINGLE_OPS = 4000


def sample_ids(db: Any, args: argparse.Namespace) -> dict[str, list[str]]:
    """Party ids by category: measured, company, person, unknown, invalid."""
    rng = random.Random(args.seed)
    measured = sorted({str(r["party_id"]) for r in db.read("propagation/all_stored_measures")})
    size = max(2000, args.batch_size * 2)
    rows = db.read("meta/bench_graphql_sample", limit=size)
    ids = {
        "measured": rng.sample(measured, min(len(measured), 1000)),
        "company": [str(r["id"]) for r in rows if r["kind"] == "company"],
        "person": [str(r["id"]) for r in rows if r["kind"] == "person"],
    }
    known = ids["company"][:100] + ids["person"][:100]
    ids["unknown"] = _absent(db, [_sibling(p, rng) for p in known])
    ids["invalid"] = [_broken(p) for p in known]
    if min(len(v) for v in ids.values()) < 10:
        counts = {k: len(v) for k, v in ids.items()}
        raise SystemExit(f"error: too few parties to sample ({counts}); propagated and loaded?")
    return ids


def scenarios(
    ids: dict[str, list[str]], args: argparse.Namespace, past: date
) -> dict[str, dict[str, Any]]:
    """The load generator's plan per scenario (operations and how to send them)."""
    rng = random.Random(args.seed + 1)
    singles = [_body(ctx, [p]) for ctx, p in _single_mix(ids, rng)]
    pool = [p for v in ids.values() for p in v]
    batches = [_body(args.context, _pick(pool, args.batch_size, rng)) for _ in range(20)]
    asof_pool = ids["measured"] + ids["company"] + ids["person"]
    asof_1 = [_body(args.context, [p], past) for p in rng.sample(asof_pool, 200)]
    asof_n = [_body(args.context, _pick(asof_pool, args.asof_parties, rng), past)
              for _ in range(50)]  # fmt: skip
    n_asof = args.asof_requests
    return {
        "single": _plan(singles, args.concurrency, args.seconds, args.warmup_seconds, 0, 0),
        "batch": _plan(batches, 1, args.seconds, 0, args.batches, 2),
        "asof_single": _plan(asof_1, 1, args.seconds, 0, n_asof, 3),
        "asof_batch": _plan(asof_n, 1, args.seconds, 0, max(1, n_asof // 5), 1),
    }


def _plan(
    operations: list[dict[str, Any]],
    concurrency: int,
    seconds: float,
    warmup_seconds: float,
    requests: int,
    warmup_requests: int,
) -> dict[str, Any]:
    """A load generator's plan: bodies to cycle through; requests 0 means "until seconds"."""
    return {
        "operations": operations,
        "concurrency": concurrency,
        "seconds": seconds,
        "warmup_seconds": warmup_seconds,
        "requests": requests,
        "warmup_requests": warmup_requests,
    }


def _single_mix(ids: dict[str, list[str]], rng: random.Random) -> list[tuple[str, str]]:
    """(context, party) pairs: the shares above, contexts taken in turn."""
    ordinary = ids["company"] + ids["person"]
    parties = []
    for _ in range(SINGLE_OPS):
        draw = rng.random()
        if draw < SHARE_MEASURED:
            parties.append(rng.choice(ids["measured"]))
        elif draw < SHARE_MEASURED + SHARE_UNKNOWN:
            parties.append(rng.choice(ids["unknown"]))
        elif draw < SHARE_MEASURED + SHARE_UNKNOWN + SHARE_INVALID:
            parties.append(rng.choice(ids["invalid"]))
        else:
            parties.append(rng.choice(ordinary))
    return [(CONTEXTS[n % len(CONTEXTS)], p) for n, p in enumerate(parties)]


def _pick(pool: list[str], n: int, rng: random.Random) -> list[str]:
    return rng.sample(pool, n) if n <= len(pool) else [rng.choice(pool) for _ in range(n)]


def _body(context: str, parties: list[str], as_of: date | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"context": context, "parties": parties, "purpose": "bench/checks.py"}
    if as_of is not None:
        body["as_of"] = as_of.isoformat()
    return body


def _sibling(party: str, rng: random.Random) -> str:
    """A valid identifier of the same kind, differing in a serial character."""
    if party_kind(party) == "person":  # keep region and birth date: change the serial digits
        first = party[:14] + f"{rng.randrange(1000):03d}"
        return first + id_check_char(first)
    first = party[:9] + "".join(rng.choice(USCC_ALPHABET[:30]) for _ in range(8))
    return first + (uscc_check_char(first) or "0")


def _broken(party: str) -> str:
    """The identifier with a wrong check character."""
    for char in "0123456789X":
        if char != party[-1] and party_kind(party[:-1] + char) is None:
            return party[:-1] + char
    raise AssertionError(f"no wrong check character for {party}")


def _absent(db: Any, candidates: list[str]) -> list[str]:
    """The candidates that are valid and unknown to the graph."""
    valid = sorted({p for p in candidates if party_kind(p)})
    today = datetime.now().date()
    rows = db.read("check/parties", ids=valid, as_of=today, stored=True, red_list_kinds=[])
    known = {r["party_id"] for r in rows}
    return [p for p in valid if p not in known]
