// Lookup of Objection by state: the open ones mark measures contested on every check.
CREATE RANGE INDEX objection_state IF NOT EXISTS
FOR (n:Objection) ON (n.state)
