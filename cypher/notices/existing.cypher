// Which of the notice ids $ids were made already.
UNWIND $ids AS id
MATCH (n:Notice {notice_id: id})
RETURN n.notice_id AS notice_id
