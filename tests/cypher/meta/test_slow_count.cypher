// Test helper: a read that runs for seconds (counts to $n), to see a deadline or timeout stop it.
UNWIND range(1, $n) AS x
WITH x WHERE x % 7 = 0
RETURN count(x) AS n
