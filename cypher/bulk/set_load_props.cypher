// Sets properties of imported :Load records that the offline importer cannot write (an empty
// list reads as no property there): `credit-graph import`, once the staged store runs.
UNWIND $rows AS row
MATCH (l:Load {load_id: row.load_id})
SET l += row.props
