// Filters HOLDS_SHARES relationships by until (active-on-date queries).
CREATE RANGE INDEX holds_shares_until IF NOT EXISTS
FOR ()-[r:HOLDS_SHARES]-() ON (r.until)
