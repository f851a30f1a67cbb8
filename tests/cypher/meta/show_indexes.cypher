// The indexes in force, whether they are online and which constraint owns them (tests compare
// them with graph_service/model.py).
SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, state, owningConstraint,
                   options
RETURN name, type, entityType, labelsOrTypes, properties, state, owningConstraint, options
