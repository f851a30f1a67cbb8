// Stores objections (异议) as filed, in the transaction of their audit entries; audit_seq
// links each to its entry. open_key (record_ref|party_id) is set while open: one open
// objection per party and record (MERGE: a second filing in a race creates nothing).
UNWIND $rows AS row
MERGE (o:Objection {open_key: row.open_key})
ON CREATE SET o = row
