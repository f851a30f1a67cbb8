"""Schema migrations against the real Neo4j, and the model they implement."""

from __future__ import annotations

import pytest

from graph_service import migrations
from graph_service.db import Database
from graph_service.errors import QueryError, SchemaError
from graph_service.model import FULLTEXT_AUDIT_PARTIES, FULLTEXT_PARTY_NAMES, NODES


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
