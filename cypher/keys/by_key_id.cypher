// The API key with this public id (revoked or not), for authenticating a request.
MATCH (k:ApiKey {key_id: $key_id})
RETURN k {.*} AS key
