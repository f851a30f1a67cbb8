// Natural key of NoticeMark: 'losses' (how far losses were turned into notices) and 'delivery'
// (the lease of the one process that delivers webhooks).
CREATE CONSTRAINT notice_mark_name_unique IF NOT EXISTS
FOR (n:NoticeMark) REQUIRE n.name IS UNIQUE
