// Lookup of the updates of a record by the record's registry reference (loaders link
// RecordUpdate nodes to records that arrive after them).
CREATE RANGE INDEX record_update_record_ref IF NOT EXISTS
FOR (n:RecordUpdate) ON (n.record_ref)
