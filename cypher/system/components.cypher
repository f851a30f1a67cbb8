// The server's name, version and edition (Community / Enterprise).
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions[0] AS version, edition
