// A notice mark: how far losses were turned into notices ('losses'), or the delivery lease.
MATCH (m:NoticeMark {name: $name})
RETURN m.at AS at, m.holder AS holder, m.expires_at AS expires_at
