// "Who checked this person": the party ids an entry names, space-separated. A range index
// cannot look inside a list; the whitespace analyzer keeps each id one exact token.
CREATE FULLTEXT INDEX audit_parties IF NOT EXISTS
FOR (n:AuditEntry) ON EACH [n.parties_text]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}
