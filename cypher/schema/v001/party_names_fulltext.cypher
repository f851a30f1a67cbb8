// Full-text search over party names. The cjk analyzer indexes Chinese text as character
// bigrams, so a substring such as 华北建设 finds 石家庄华北建设工程有限公司.
CREATE FULLTEXT INDEX party_names IF NOT EXISTS
FOR (n:Party) ON EACH [n.name]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}
