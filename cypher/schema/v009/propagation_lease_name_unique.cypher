// Natural key of PropagationLease: 'runs', the one lease every propagation run takes, so that
// two first claims at once make one node, not two.
CREATE CONSTRAINT propagation_lease_name_unique IF NOT EXISTS
FOR (n:PropagationLease) REQUIRE n.name IS UNIQUE
