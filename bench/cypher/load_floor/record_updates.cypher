// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement that writes the same properties (the rows' values, provenance, row_hash) and
// nothing else: no probe, outcomes, history, stale links' removal or derived links.
UNWIND $batch.rows AS row
MERGE (u:RecordUpdate {update_key: row.record_ref + '|' + row.status + '|' + row.effective_on})
SET u += row.props, u.effective_on = date(row.effective_on), u += $prov, u.src_row = row.line, u.row_hash = row.row_hash
