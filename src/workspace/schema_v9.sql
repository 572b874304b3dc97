-- Errors with a lifecycle. `tether_run_errors` stays the history: one row per record per run
-- it failed in (an attempt). A record that keeps failing is one error here, open until a run
-- of its link syncs it, with how many runs it failed in and the last answer.

CREATE TABLE tether_errors (
    id            INTEGER PRIMARY KEY,
    link_name     TEXT NOT NULL,
    -- Which record: `key <row key>`, `id <15-character Salesforce Id>`, or for an attempt that
    -- names neither (or a run of no link, such as an import) a name only that attempt has.
    record        TEXT NOT NULL,
    sf_id         TEXT,
    row_key       TEXT,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    attempts      INTEGER NOT NULL DEFAULT 1,   -- runs the record failed in
    first_run     INTEGER NOT NULL,
    first_seen    TEXT NOT NULL,
    last_run      INTEGER NOT NULL,
    last_seen     TEXT NOT NULL,
    last_attempt  INTEGER NOT NULL,             -- tether_run_errors.id of the last answer
    code          TEXT NOT NULL,                -- the last answer's code
    resolved_run  INTEGER,
    resolved_at   TEXT
);
CREATE UNIQUE INDEX tether_errors_open ON tether_errors (link_name, record) WHERE status = 'open';
CREATE INDEX tether_errors_by_status ON tether_errors (status, last_attempt);
CREATE INDEX tether_errors_by_link ON tether_errors (link_name, status, last_attempt);
CREATE INDEX tether_errors_by_code ON tether_errors (code, status, last_attempt);
CREATE INDEX tether_errors_by_attempt ON tether_errors (last_attempt);

ALTER TABLE tether_run_errors ADD COLUMN error_id INTEGER;
CREATE INDEX tether_run_errors_by_error ON tether_run_errors (error_id);

-- Every attempt, whoever records it, joins the open error of its record or opens one.
CREATE TRIGGER tether_errors_attempt AFTER INSERT ON tether_run_errors BEGIN
    INSERT INTO tether_errors (link_name, record, sf_id, row_key, first_run, first_seen,
                               last_run, last_seen, last_attempt, code)
    SELECT coalesce(new.link_name, r.link_name, ''),
           CASE
               WHEN r.link_id IS NULL THEN 'attempt ' || new.id
               WHEN new.row_key IS NOT NULL THEN 'key ' || new.row_key
               WHEN new.sf_id IS NOT NULL THEN 'id ' || substr(new.sf_id, 1, 15)
               ELSE 'attempt ' || new.id
           END,
           new.sf_id, new.row_key, new.run_id, new.at, new.run_id, new.at, new.id, new.code
    FROM (SELECT 1) LEFT JOIN tether_runs r ON r.id = new.run_id
    WHERE true
    ON CONFLICT (link_name, record) WHERE status = 'open' DO UPDATE SET
        attempts = attempts + (last_run <> excluded.last_run),
        last_run = excluded.last_run,
        last_seen = excluded.last_seen,
        last_attempt = excluded.last_attempt,
        code = excluded.code,
        sf_id = coalesce(excluded.sf_id, sf_id),
        row_key = coalesce(excluded.row_key, row_key);
    UPDATE tether_run_errors
    SET error_id = (SELECT id FROM tether_errors WHERE last_attempt = new.id)
    WHERE id = new.id;
END;

-- Attempts deleted with their run leave their error; an error with none left goes too.
CREATE TRIGGER tether_errors_attempt_delete AFTER DELETE ON tether_run_errors BEGIN
    DELETE FROM tether_errors WHERE id = old.error_id
        AND NOT EXISTS (SELECT 1 FROM tether_run_errors WHERE error_id = old.error_id);
END;

-- The history as it stood, replayed in order: each attempt joins its record's error, so a
-- record that failed in many runs becomes one error with that many attempts. What was
-- recorded before errors had a lifecycle stays open: no run has been seen to resolve it.
CREATE TEMP TABLE tether_attempts_replay AS SELECT * FROM tether_run_errors ORDER BY id;
DELETE FROM tether_run_errors;
INSERT INTO tether_run_errors SELECT * FROM tether_attempts_replay ORDER BY id;
DROP TABLE tether_attempts_replay;
