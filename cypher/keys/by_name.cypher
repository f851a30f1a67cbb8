// The API key with this name (revoked or not); names are never reused.
MATCH (k:ApiKey {name: $name})
RETURN k {.*} AS key
