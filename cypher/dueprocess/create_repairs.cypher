// Stores repair applications (信用修复) as filed, in the transaction of their audit entries;
// audit_seq links each to its entry.
UNWIND $rows AS row
CREATE (a:RepairApplication)
SET a = row
