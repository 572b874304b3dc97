-- Writes from the Records page are runs of their own (trigger `records`), one record each,
-- with the connection they went to so that they can be undone later.

-- As in schema_v6: adding an allowed value only loosens the CHECK, so the table's definition
-- is edited in place rather than rebuilt.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, '''cli'', ''undo'')', '''cli'', ''undo'', ''records'')')
WHERE type = 'table' AND name = 'tether_runs';
PRAGMA writable_schema = RESET;

CREATE TABLE tether_record_writes (
    run_id      INTEGER PRIMARY KEY REFERENCES tether_runs (id) ON DELETE CASCADE,
    connection  TEXT NOT NULL,
    object      TEXT NOT NULL,
    sf_id       TEXT
);
