// Open objections of the records with the given refs ($refs null: of every record):
// record_ref → objection_id, what marks measures contested (graph_service/dueprocess/contested.py).
MATCH (o:Objection {state: 'open'})
WHERE $refs IS NULL OR o.record_ref IN $refs
RETURN o.record_ref AS record_ref, min(o.objection_id) AS objection_id
