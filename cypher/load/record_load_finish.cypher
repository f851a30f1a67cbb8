// Records how a load ended (status 'done' or 'failed') and its summary counts.
MATCH (l:Load {load_id: $load_id})
SET l += $props
RETURN l.load_id AS load_id
