// Natural key of Notice: a hash of the API key and the loss, so one loss gives a key one notice.
CREATE CONSTRAINT notice_notice_id_unique IF NOT EXISTS
FOR (n:Notice) REQUIRE n.notice_id IS UNIQUE
