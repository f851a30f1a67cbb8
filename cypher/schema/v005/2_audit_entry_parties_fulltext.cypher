// "Who checked this person": the party ids an entry names, space-separated (whitespace
// analyzer: each id one exact token). Replaces v003's audit_parties. Eventually consistent:
// a synchronous full-text index updated its Lucene segment inside every audit commit (~39 ms
// of Neo4j CPU per entry against ~5 ms without it), and every check answer waits for that
// commit. The index now catches up just after the commit; readers that must see every entry
// call audit/await_fulltext_refresh first.
CREATE FULLTEXT INDEX audit_entry_parties IF NOT EXISTS
FOR (n:AuditEntry) ON EACH [n.parties_text]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace', `fulltext.eventually_consistent`: true}}
