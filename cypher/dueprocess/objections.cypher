// Objections, oldest due first. $state: 'open' (not decided), 'overdue' (open and due
// before $today), 'closed' (decided), null for all.
MATCH (o:Objection)
WHERE $state IS NULL
   OR ($state = 'open' AND o.state = 'open')
   OR ($state = 'overdue' AND o.state = 'open' AND o.due_on < $today)
   OR ($state = 'closed' AND o.state <> 'open')
RETURN properties(o) AS props
ORDER BY o.due_on, o.objection_id
LIMIT $limit
