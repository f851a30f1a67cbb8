// Records that a load has started; the status stays 'started' if the process dies, which
// `credit-graph loads` shows as unfinished.
CREATE (l:Load {load_id: $load_id})
SET l += $props, l.status = 'started'
RETURN l.load_id AS load_id
