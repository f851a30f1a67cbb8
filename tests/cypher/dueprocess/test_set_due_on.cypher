// Tests only: moves an objection's due day (to make it overdue without waiting a week).
MATCH (o:Objection {objection_id: $objection_id})
SET o.due_on = $due_on
