"""Schema migrations against the real Neo4j, and the model they implement.

``graph_service/model.py`` declares the model; these tests check it both ways: against the
migrated schema (every declared key and index exists, every constraint and index in force is
declared) and against the Cypher files (every label and type they use is declared, every
declared one is used).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pytest

from graph_service import migrations
from graph_service.db import Database
from graph_service.errors import Conflict, QueryError, SchemaError
from graph_service.model import (
    FULLTEXT_AUDIT_PARTIES,
    FULLTEXT_INDEXES,
    FULLTEXT_PARTY_NAMES,
    NODES,
    RELATIONSHIPS,
    Label,
    RelType,
    node_spec,
)
from graph_service.queries import QueryRegistry, cypher_root
from tests.conftest import TEST_CYPHER


def _constraints(db: Database) -> set[tuple[str, str]]:
    rows = db.read("meta/show_constraints")
    return {(r["labelsOrTypes"][0], r["properties"][0]) for r in rows if r["type"] == "UNIQUENESS"}


def test_migrate_twice_changes_nothing(db: Database) -> None:
    before = (_constraints(db), migrations.current_version(db))
    applied = migrations.migrate(db)
    assert applied == []
    assert (_constraints(db), migrations.current_version(db)) == before
    assert migrations.current_version(db) == migrations.expected_version(db) >= 1


def test_every_declared_key_has_a_uniqueness_constraint(db: Database) -> None:
    declared = {(spec.label.value, spec.key) for spec in NODES if spec.key}
    assert declared <= _constraints(db)


def test_every_declared_lookup_has_an_online_index(db: Database) -> None:
    rows = db.read("meta/show_indexes")
    online = {
        (r["labelsOrTypes"][0], r["properties"][0])
        for r in rows
        if r["state"] == "ONLINE" and r["labelsOrTypes"]
    }
    declared = {(spec.label.value, prop) for spec in NODES for prop in spec.indexed}
    assert declared <= online


def test_fulltext_index_uses_the_cjk_analyzer(db: Database) -> None:
    rows = {r["name"]: r for r in db.read("meta/show_indexes")}
    index = rows[FULLTEXT_PARTY_NAMES]
    assert index["type"] == "FULLTEXT"
    assert index["options"]["indexConfig"]["fulltext.analyzer"] == "cjk"


def test_audit_party_index_is_whitespace_and_eventually_consistent(db: Database) -> None:
    # Eventually consistent keeps Lucene out of the audit commit each check answer waits for.
    rows = {r["name"]: r for r in db.read("meta/show_indexes")}
    config = rows[FULLTEXT_AUDIT_PARTIES]["options"]["indexConfig"]
    assert config["fulltext.analyzer"] == "whitespace"
    assert config["fulltext.eventually_consistent"] is True
    assert "audit_parties" not in rows  # v003's synchronous index is gone


def test_uniqueness_constraint_rejects_a_duplicate_party(db: Database) -> None:
    db.write("meta/test_create_party", party_id="91130102RG8E64XKKR", name="甲")
    with pytest.raises(QueryError, match="ConstraintValidationFailed"):
        db.write("meta/test_create_party", party_id="91130102RG8E64XKKR", name="乙")


def test_reset_empties_data_and_keeps_schema(db: Database) -> None:
    db.write("meta/test_create_party", party_id="91130102RG8E64XKKR", name="甲")
    migrations.reset(db)
    assert db.read("meta/count_nodes")[0]["nodes"] == 0
    assert migrations.current_version(db) == migrations.expected_version(db)
    assert _constraints(db)


def _written_during_passes(db: Database, monkeypatch: pytest.MonkeyPatch, passes: int) -> list[str]:
    """Makes the first ``passes`` reset passes end with a party written while they ran (a
    queued audit entry committing between two of the deletion's batches)."""
    run, names = db.run_autocommit, list[str]()

    def pass_with_a_write(name: str, /, **kwargs: Any) -> Any:
        result = run(name, **kwargs)
        if name == "meta/reset_data" and len(names) < passes:
            names.append(f"91130102RG8E64XK{len(names):02d}")
            db.write("meta/test_create_party", party_id=names[-1], name="写入中")
        return result

    monkeypatch.setattr(db, "run_autocommit", pass_with_a_write)
    return names


def test_reset_empties_what_was_written_during_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = _written_during_passes(db, monkeypatch, passes=1)
    migrations.reset(db)
    assert len(written) == 1
    assert db.read("meta/count_nodes")[0]["nodes"] == 0


def test_reset_refuses_a_graph_written_all_along(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _written_during_passes(db, monkeypatch, passes=migrations.RESET_PASSES)
    with pytest.raises(Conflict, match=r"written while it was being reset .* stop the service"):
        migrations.reset(db)
    monkeypatch.undo()
    migrations.reset(db)
    assert db.read("meta/count_nodes")[0]["nodes"] == 0


def test_require_current_names_the_fix_when_behind(db: Database) -> None:
    db.write("meta/test_drop_migration", version=migrations.expected_version(db))
    try:
        with pytest.raises(SchemaError, match="credit-graph db migrate"):
            migrations.require_current(db)
    finally:
        assert migrations.migrate(db) == [migrations.expected_version(db)]


def test_a_migration_changed_after_it_was_applied_is_refused(db: Database) -> None:
    version = migrations.expected_version(db)
    shipped = migrations.available(db)[-1].digest
    db.write("meta/set_migration_digest", version=version, digest="0" * 64)
    try:
        with pytest.raises(SchemaError, match=f"v{version:03d} was changed after it was applied"):
            migrations.require_current(db)
        with pytest.raises(SchemaError, match="must not change"):
            migrations.migrate(db)
    finally:
        db.write("meta/set_migration_digest", version=version, digest=shipped)
    assert migrations.require_current(db) == version


def test_migrations_record_the_digest_of_what_they_applied(db: Database) -> None:
    db.write("meta/set_migration_digest", version=1, digest=None)  # as before digests were kept
    migrations.migrate(db)  # fills it in
    recorded = {r["version"]: r["digest"] for r in db.read("meta/applied_migrations")}
    shipped = {m.version: m.digest for m in migrations.available(db)}
    assert recorded == shipped


# --- the model, declared once, against the migrated schema -----------------------------------

Schema = set[tuple[str, str, str, tuple[str, ...]]]  # (kind, entity type, label or type, props)


def _declared_constraints() -> Schema:
    return {
        ("UNIQUENESS", "NODE", spec.label.value, (prop,))
        for spec in NODES
        for prop in spec.unique_properties
    }


def _declared_indexes() -> Schema:
    nodes = {("RANGE", "NODE", s.label.value, (p,)) for s in NODES for p in s.indexed}
    rels = {("RANGE", "RELATIONSHIP", s.type.value, (p,)) for s in RELATIONSHIPS for p in s.indexed}
    fulltext = {("FULLTEXT", "NODE", f.label.value, f.properties) for f in FULLTEXT_INDEXES}
    return nodes | rels | fulltext


def _as_schema(rows: Iterable[dict[str, Any]]) -> Schema:
    return {(r["type"], r["entityType"], *r["labelsOrTypes"], tuple(r["properties"])) for r in rows}


def _index_rows(db: Database) -> list[dict[str, Any]]:
    """The indexes the migrations made: without Neo4j's own token lookup indexes (made with
    every database) and the indexes that back uniqueness constraints (compared as those)."""
    rows = db.read("meta/show_indexes")
    return [r for r in rows if r["type"] != "LOOKUP" and r["owningConstraint"] is None]


def _two_way(declared: Schema, in_force: Schema) -> dict[str, list[Any]]:
    return {
        "declared, not in the schema": sorted(declared - in_force),
        "in the schema, not declared in model.py": sorted(in_force - declared),
    }


def test_every_label_and_type_is_specified_once() -> None:
    assert sorted(spec.label for spec in NODES) == sorted(Label)
    assert sorted(spec.type for spec in RELATIONSHIPS) == sorted(RelType)


def test_every_key_and_indexed_property_is_described() -> None:
    for node in NODES:
        for prop in (*node.unique_properties, *node.indexed):
            assert prop in node.properties, f"{node.label}.{prop} has no description"
    for rel in RELATIONSHIPS:
        for prop in rel.indexed:
            assert prop in rel.properties, f"{rel.type}.{prop} has no description"
    for index in FULLTEXT_INDEXES:
        for prop in index.properties:
            assert prop in node_spec(index.label).properties


def test_constraints_in_force_are_exactly_the_declared_ones(session_db: Database) -> None:
    in_force = _as_schema(session_db.read("meta/show_constraints"))
    assert _two_way(_declared_constraints(), in_force) == _two_way(set(), set())


def test_indexes_in_force_are_exactly_the_declared_ones(session_db: Database) -> None:
    in_force = _as_schema(_index_rows(session_db))
    assert _two_way(_declared_indexes(), in_force) == _two_way(set(), set())


def test_declared_fulltext_indexes_have_their_analyzer(session_db: Database) -> None:
    rows = {r["name"]: r for r in _index_rows(session_db)}
    for index in FULLTEXT_INDEXES:
        config = rows[index.name]["options"]["indexConfig"]
        assert config["fulltext.analyzer"] == index.analyzer
        assert config["fulltext.eventually_consistent"] is index.eventually_consistent


# --- the model against the Cypher files ------------------------------------------------------

# String literals and comments, matched together left to right so that a quote inside a
# comment or a `//` inside a string is not mistaken for the other.
_LITERAL_OR_COMMENT = re.compile(
    r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/""", re.S
)
# `(n:A:B {…})`, `(:A|B)`: labels right after a node pattern's variable.
_NODE_LABELS = re.compile(r"\(\s*\w*\s*:\s*(\w+(?:\s*[:|&]\s*\w+)*)")
# `SET n:A`, `WHERE n:A`, `REMOVE n:A`: a label predicate. Labels are PascalCase; a map entry
# (`{kind: row.kind}`) has a value in lower case, a parameter or a literal instead.
_LABEL_PREDICATE = re.compile(r"\b\w+\s*:\s*([A-Z][a-z]\w*(?:\s*[:|&]\s*[A-Z][a-z]\w*)*)")
# `[:T]`, `[r:T|U*1..3]`: the types of a relationship pattern.
_REL_TYPES = re.compile(r"\[\s*\w*\s*:\s*(\w+(?:\s*\|\s*:?\s*\w+)*)")


def labels_and_types(cypher: str) -> tuple[set[str], set[str]]:
    """The node labels and relationship types a Cypher statement names outside literals and
    comments (good enough for the statements of this project, not a Cypher parser)."""
    code = _LITERAL_OR_COMMENT.sub(lambda m: " " if m[0][0] == "/" else "''", cypher)
    code = code.replace("`", "")
    labels = {
        name
        for rx in (_NODE_LABELS, _LABEL_PREDICATE)
        for m in rx.finditer(code)
        for name in re.findall(r"\w+", m[1])
    }
    types = {name for m in _REL_TYPES.finditer(code) for name in re.findall(r"\w+", m[1])}
    return labels, types


def _used(registry: QueryRegistry) -> tuple[set[str], set[str]]:
    labels: set[str] = set()
    types: set[str] = set()
    for name in registry.names():
        found_labels, found_types = labels_and_types(registry[name].text)
        labels |= found_labels
        types |= found_types
    return labels, types


def test_labels_and_types_are_found_outside_literals_and_comments() -> None:
    cypher = """// (:Commented)-[:COMMENTED]->()
    MATCH (p:Party:Person {name: 'a (:Quoted)'})-[r:HOLDS_SHARES|OFFICER_OF*1..3]->(:Company)
    WHERE p:Official AND NOT (p)-[:HAS_RECORD]->(:Record|Case) /* [:BLOCK] */
    SET p:Company, p += {kind: row.kind, note: "[:QUOTED]"}
    REMOVE p:Contact"""
    labels, types = labels_and_types(cypher)
    assert labels == {"Party", "Person", "Company", "Official", "Record", "Case", "Contact"}
    assert types == {"HOLDS_SHARES", "OFFICER_OF", "HAS_RECORD"}


def test_every_label_and_type_in_cypher_is_declared() -> None:
    # The tests' own statements write test data: it must be of the model too. (The benchmarks'
    # scratch labels in bench/cypher/ are theirs alone and removed after each run.)
    labels, types = _used(QueryRegistry(cypher_root(), TEST_CYPHER))
    assert sorted(labels - set(Label)) == []
    assert sorted(types - set(RelType)) == []


def test_every_declared_label_and_type_is_used_by_the_shipped_cypher() -> None:
    # The shipped cypher/ holds the migrations (cypher/schema/) too.
    labels, types = _used(QueryRegistry(cypher_root()))
    assert sorted(set(Label) - labels) == []
    assert sorted(set(RelType) - types) == []
