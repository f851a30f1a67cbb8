// Contradictions (due process §7): officers and legal representatives whose identity number
// says they were born less than $min_age years before the role's start (its `since`, else the
// day the row was loaded: the role had begun by then). The birth date is digits 7-14 of the id
// number, compared as text (YYYYMMDD) so that no value can fail a date(); a pre-filter that
// keeps the birthday itself: graph_service/analysis/contradictions.py decides.
MATCH (p:Person)-[o:OFFICER_OF|LEGAL_REP_OF]->(c:Company)
WITH p, o, c, coalesce(o.since, date(o.loaded_at)) AS start
WHERE start IS NOT NULL AND size(p.party_id) = 18
  AND substring(p.party_id, 6, 8) >= replace(toString(start - duration({years: $min_age})), '-', '')
RETURN p.party_id AS person_id, c.party_id AS company_id,
       CASE type(o) WHEN 'LEGAL_REP_OF' THEN 'legal_rep' ELSE o.role END AS role,
       o.since AS since, date(o.loaded_at) AS loaded_on,
       o.src_file AS file, o.src_row AS row, o.load_id AS load_id, o.src_kind AS kind
