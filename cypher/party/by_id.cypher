// Parties by their normalised identifiers (party_id unique constraint), for the GraphQL
// party loader: one row per party found, with its labels (Company / Person / Official).
UNWIND $ids AS id
MATCH (p:Party {party_id: id})
RETURN id, labels(p) AS labels, properties(p) AS props
