// Every notice, oldest first (tests of graph_service/dueprocess/notices.py).
MATCH (n:Notice)
RETURN n {.*} AS notice
ORDER BY n.made_at, n.notice_id
