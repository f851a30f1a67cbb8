// The one AuditHead: writers MERGE it by name, so two first appends cannot create two heads.
CREATE CONSTRAINT audit_head_name_unique IF NOT EXISTS
FOR (n:AuditHead) REQUIRE n.name IS UNIQUE
