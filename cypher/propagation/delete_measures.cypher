// Removes measures that no longer apply (the change log keeps what they were).
UNWIND $batch.keys AS key
MATCH (m:Measure {measure_key: key})
DETACH DELETE m
