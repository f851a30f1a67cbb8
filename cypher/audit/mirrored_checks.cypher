// The `check` entries in Neo4j of some check ids: what `audit verify` compares each entry of
// a host's local audit log with (graph_service/security/audit_mirror.py, verify_local).
UNWIND $check_ids AS check_id
MATCH (e:AuditEntry {check_id: check_id})
WHERE e.kind = 'check'
RETURN e {.*} AS entry
