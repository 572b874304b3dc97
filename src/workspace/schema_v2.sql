-- Reading the journal a page at a time, fast with a million runs and a million errors:
-- indexes for each filter and sort, running totals kept by triggers (so a filtered count is a
-- sum over a few hundred rows rather than a scan), and a full-text index over failed records.

CREATE INDEX tether_runs_by_status ON tether_runs (status, id);
CREATE INDEX tether_runs_by_link_status ON tether_runs (link_name, status, id);
CREATE INDEX tether_runs_by_trigger ON tether_runs (trigger, id);
CREATE INDEX tether_runs_by_start ON tether_runs (started_at);
CREATE INDEX tether_runs_by_failed ON tether_runs (failed, id);

-- Runs and their record counts per link, status, trigger, day and whether records failed.
CREATE TABLE tether_run_totals (
    link_name    TEXT NOT NULL,
    status       TEXT NOT NULL,
    trigger      TEXT NOT NULL,
    day          TEXT NOT NULL,            -- YYYY-MM-DD (UTC) the runs started
    with_errors  INTEGER NOT NULL,
    runs         INTEGER NOT NULL DEFAULT 0,
    synced       INTEGER NOT NULL DEFAULT 0,  -- records created, updated or deleted
    failed       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (link_name, status, trigger, day, with_errors)
) WITHOUT ROWID;
CREATE INDEX tether_run_totals_by_day ON tether_run_totals (day);

INSERT INTO tether_run_totals (link_name, status, trigger, day, with_errors, runs, synced, failed)
SELECT link_name, status, trigger, substr(started_at, 1, 10), failed > 0, count(*),
       sum(created + updated + deleted), sum(failed)
FROM tether_runs GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER tether_run_totals_insert AFTER INSERT ON tether_runs BEGIN
    INSERT INTO tether_run_totals (link_name, status, trigger, day, with_errors, runs, synced, failed)
    VALUES (new.link_name, new.status, new.trigger, substr(new.started_at, 1, 10), new.failed > 0,
            1, new.created + new.updated + new.deleted, new.failed)
    ON CONFLICT DO UPDATE SET runs = runs + 1, synced = synced + excluded.synced,
        failed = failed + excluded.failed;
END;

CREATE TRIGGER tether_run_totals_delete AFTER DELETE ON tether_runs BEGIN
    UPDATE tether_run_totals SET runs = runs - 1,
        synced = synced - (old.created + old.updated + old.deleted), failed = failed - old.failed
    WHERE link_name = old.link_name AND status = old.status AND trigger = old.trigger
      AND day = substr(old.started_at, 1, 10) AND with_errors = (old.failed > 0);
END;

CREATE TRIGGER tether_run_totals_update
AFTER UPDATE OF link_name, status, trigger, started_at, created, updated, deleted, failed
ON tether_runs BEGIN
    UPDATE tether_run_totals SET runs = runs - 1,
        synced = synced - (old.created + old.updated + old.deleted), failed = failed - old.failed
    WHERE link_name = old.link_name AND status = old.status AND trigger = old.trigger
      AND day = substr(old.started_at, 1, 10) AND with_errors = (old.failed > 0);
    INSERT INTO tether_run_totals (link_name, status, trigger, day, with_errors, runs, synced, failed)
    VALUES (new.link_name, new.status, new.trigger, substr(new.started_at, 1, 10), new.failed > 0,
            1, new.created + new.updated + new.deleted, new.failed)
    ON CONFLICT DO UPDATE SET runs = runs + 1, synced = synced + excluded.synced,
        failed = failed + excluded.failed;
END;

-- Each failed record carries its run's link, so the error browser filters without a join.
ALTER TABLE tether_run_errors ADD COLUMN link_name TEXT;
UPDATE tether_run_errors
SET link_name = (SELECT link_name FROM tether_runs WHERE tether_runs.id = tether_run_errors.run_id);
CREATE INDEX tether_run_errors_by_link ON tether_run_errors (link_name, id);
CREATE INDEX tether_run_errors_by_code ON tether_run_errors (code, id);
CREATE INDEX tether_run_errors_by_time ON tether_run_errors (at);

CREATE TRIGGER tether_run_errors_link AFTER INSERT ON tether_run_errors
WHEN new.link_name IS NULL BEGIN
    UPDATE tether_run_errors
    SET link_name = (SELECT link_name FROM tether_runs WHERE id = new.run_id)
    WHERE id = new.id;
END;

-- Failed records per link, code and day.
CREATE TABLE tether_error_totals (
    link_name  TEXT NOT NULL,
    code       TEXT NOT NULL,
    day        TEXT NOT NULL,
    errors     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (link_name, code, day)
) WITHOUT ROWID;

INSERT INTO tether_error_totals (link_name, code, day, errors)
SELECT coalesce(link_name, ''), code, substr(at, 1, 10), count(*)
FROM tether_run_errors GROUP BY 1, 2, 3;

CREATE TRIGGER tether_error_totals_insert AFTER INSERT ON tether_run_errors BEGIN
    INSERT INTO tether_error_totals (link_name, code, day, errors)
    VALUES (coalesce((SELECT link_name FROM tether_runs WHERE id = new.run_id), ''), new.code,
            substr(new.at, 1, 10), 1)
    ON CONFLICT DO UPDATE SET errors = errors + 1;
END;

CREATE TRIGGER tether_error_totals_delete AFTER DELETE ON tether_run_errors BEGIN
    UPDATE tether_error_totals SET errors = errors - 1
    WHERE link_name = coalesce(old.link_name, '') AND code = old.code
      AND day = substr(old.at, 1, 10);
END;

-- Words of each failed record: message, code, record id, row key, fields and payload.
CREATE VIRTUAL TABLE tether_run_errors_text USING fts5 (
    message, code, sf_id, row_key, fields, payload,
    content = 'tether_run_errors', content_rowid = 'id'
);
INSERT INTO tether_run_errors_text (tether_run_errors_text) VALUES ('rebuild');

CREATE TRIGGER tether_run_errors_text_insert AFTER INSERT ON tether_run_errors BEGIN
    INSERT INTO tether_run_errors_text (rowid, message, code, sf_id, row_key, fields, payload)
    VALUES (new.id, new.message, new.code, new.sf_id, new.row_key, new.fields, new.payload);
END;

CREATE TRIGGER tether_run_errors_text_delete AFTER DELETE ON tether_run_errors BEGIN
    INSERT INTO tether_run_errors_text
        (tether_run_errors_text, rowid, message, code, sf_id, row_key, fields, payload)
    VALUES ('delete', old.id, old.message, old.code, old.sf_id, old.row_key, old.fields,
            old.payload);
END;

-- The audit entries of a run, found by the run id in their detail.
CREATE INDEX tether_audit_by_run
ON tether_audit (CASE WHEN json_valid(detail) THEN json_extract(detail, '$.run') END)
WHERE action IN ('run.finish', 'run.interrupted');
