-- Rows the user writes always sync: rows with an empty key are counted per run, and a create
-- whose answer was lost is found again rather than sent twice.

-- Rows of the run's table whose key column was empty, so that the run left them unsynced.
ALTER TABLE tether_runs ADD COLUMN keyless INTEGER NOT NULL DEFAULT 0;

-- The rowid of the row a write was made for, when that row has no key to name it by.
ALTER TABLE tether_remote_images ADD COLUMN row_id INTEGER;

-- 1 once a write is known not to have happened: Salesforce refused it, or a later run looked
-- for what a create without an answer made and found nothing. Such an intent is settled: it
-- is never looked for again.
ALTER TABLE tether_remote_images ADD COLUMN not_written INTEGER NOT NULL DEFAULT 0;

-- Creates sent without an answer, looked for before a later run sends them again.
CREATE INDEX tether_remote_images_unheard ON tether_remote_images (object, row_key)
    WHERE op = 'create' AND confirmed = 0 AND not_written = 0;
