// How many deliveries are pending and undelivered (the metrics and `notices` summary).
UNWIND ['pending', 'undelivered'] AS state
OPTIONAL MATCH (d:Delivery {state: state})
RETURN state, count(d) AS deliveries
