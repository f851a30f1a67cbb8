// The records of lost measures, each with its status updates (why it ended).
UNWIND $keys AS key
MATCH (r:Record {record_key: key})
OPTIONAL MATCH (r)-[:HAS_UPDATE]->(u:RecordUpdate)
RETURN r {.*} AS record, collect(u {.*}) AS updates
