// The entries in Neo4j written at some moments (`at`, indexed): what `audit verify` compares
// each mirrored entry of a host's local audit log with, whatever its kind (check, graphql …;
// graph_service/security/audit_mirror.py, verify_local).
UNWIND $ats AS at
MATCH (e:AuditEntry {at: at})
RETURN e {.*} AS entry
