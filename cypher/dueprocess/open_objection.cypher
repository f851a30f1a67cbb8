// The open objection of a party on a record (record_ref|party_id), if any.
MATCH (o:Objection {open_key: $open_key})
RETURN o.objection_id AS objection_id
