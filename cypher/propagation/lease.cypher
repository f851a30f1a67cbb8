// The propagation lease: who holds it and until when (no row: nobody runs).
MATCH (m:PropagationLease {name: $name})
RETURN m.holder AS holder, m.expires_at AS expires_at
