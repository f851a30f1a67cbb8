// Waits until the eventually consistent full-text indexes (audit_entry_parties) hold every
// committed entry, so that a lookup run after it misses none.
CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()
