// Lookup of RepairApplication by state: `credit-graph repairs list --state pending`.
CREATE RANGE INDEX repair_application_state IF NOT EXISTS
FOR (n:RepairApplication) ON (n.state)
