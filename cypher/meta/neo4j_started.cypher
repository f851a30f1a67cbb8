// When the Neo4j process answering started (its JVM's StartTime, ms since the epoch): a new
// value means a restarted Neo4j, whose query caches and page cache are empty, so the service
// warms them again (graph_service/propagation/catchup.py). Available on Community and
// Enterprise 5.x.
CALL dbms.queryJmx('java.lang:type=Runtime') YIELD attributes
RETURN attributes.StartTime.value AS started
