// Stores notices, in the transaction of their notice_made audit entries (audit_seq links them).
UNWIND $rows AS row
MERGE (n:Notice {notice_id: row.notice_id})
ON CREATE SET n = row
