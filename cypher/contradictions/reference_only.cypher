// Contradictions (due process §7): parties still known only from other registries' references
// (known_only_from) that a load created before $before, with the creating row's provenance.
MATCH (p:Party)
WHERE p.known_only_from IS NOT NULL AND p.loaded_at < $before
RETURN p.party_id AS party_id, p.known_only_from AS known_only_from, date(p.loaded_at) AS since,
       p.src_file AS file, p.src_row AS row, p.load_id AS load_id, p.src_kind AS kind
