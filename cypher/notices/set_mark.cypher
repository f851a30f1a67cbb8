// Moves the 'losses' mark forward to $at (never back: makers may overlap).
MERGE (m:NoticeMark {name: $name})
SET m.at = CASE WHEN m.at IS NULL OR m.at < $at THEN $at ELSE m.at END
