-- The mass-delete guard: a run that would delete more than it allows stops before writing and
-- is recorded as needing confirmation, with the number of deletes it left waiting.

-- SQLite cannot alter a CHECK constraint, and rebuilding `tether_runs` would cascade into every
-- table that references it. Adding a value to the allowed list only loosens the constraint,
-- so every stored row still satisfies it, and the table's definition can be edited in place
-- (the procedure SQLite documents for such changes).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, '''cancelled'', ''interrupted'')', '''cancelled'', ''interrupted'', ''needs_confirmation'')')
WHERE type = 'table' AND name = 'tether_runs';
PRAGMA writable_schema = RESET;

ALTER TABLE tether_runs ADD COLUMN deletes_waiting INTEGER NOT NULL DEFAULT 0;
