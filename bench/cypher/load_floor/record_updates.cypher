// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement with nothing else (no probe, provenance, outcome, history or derived links' upkeep).
UNWIND $rows AS row
MERGE (u:RecordUpdate {update_key: row.record_ref + '|' + row.status + '|' + row.effective_on})
SET u += row.props, u.effective_on = date(row.effective_on)
