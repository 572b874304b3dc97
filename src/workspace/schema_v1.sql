-- Tether's own bookkeeping in a workspace. Every table is prefixed `tether_`; every other table
-- belongs to the user and may be read and written by any program.

CREATE TABLE tether_links (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    definition  TEXT NOT NULL,          -- the link as JSON (crate::sync::link::Link)
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Written only by the capture triggers. `run_id` is the sync run that made the write, or NULL
-- for any other writer (a person, a script, another program).
CREATE TABLE tether_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name  TEXT NOT NULL,
    row_key     TEXT NOT NULL,
    op          TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    columns     TEXT,                   -- JSON array of the columns an update changed
    before      TEXT,                   -- JSON object: the whole row before an update or delete
    run_id      INTEGER,
    changed_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX tether_changes_by_row ON tether_changes (table_name, row_key, seq);
CREATE INDEX tether_changes_by_run ON tether_changes (run_id) WHERE run_id IS NOT NULL;

-- One row. A sync run sets run_id inside its write transaction and clears it before commit, so
-- the triggers can tell its writes from everyone else's.
CREATE TABLE tether_writer (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    run_id  INTEGER
);
INSERT INTO tether_writer (id, run_id) VALUES (1, NULL);

-- The last values both sides agreed on, per synced record.
CREATE TABLE tether_base (
    link_id          INTEGER NOT NULL REFERENCES tether_links (id) ON DELETE CASCADE,
    sf_id            TEXT NOT NULL,
    row_key          TEXT,
    fields           TEXT NOT NULL,     -- JSON object: Salesforce field -> agreed value
    remote_modstamp  TEXT,
    -- 1 once the record was deleted in Salesforce and the link's delete policy kept the local
    -- row: the record is then left alone unless it comes back from the recycle bin.
    remote_deleted   INTEGER NOT NULL DEFAULT 0,
    agreed_at        TEXT NOT NULL,
    PRIMARY KEY (link_id, sf_id)
);
CREATE INDEX tether_base_by_row ON tether_base (link_id, row_key);

-- A base as it was before a run first changed it (NULL: there was none), so that undoing the
-- run restores the base along with both sides.
CREATE TABLE tether_base_images (
    run_id   INTEGER NOT NULL,
    link_id  INTEGER NOT NULL REFERENCES tether_links (id) ON DELETE CASCADE,
    sf_id    TEXT NOT NULL,
    before   TEXT,
    PRIMARY KEY (run_id, link_id, sf_id)
);

-- The pull cursor as it was before a run moved it.
CREATE TABLE tether_cursor_images (
    run_id          INTEGER NOT NULL,
    link_id         INTEGER NOT NULL REFERENCES tether_links (id) ON DELETE CASCADE,
    pulled_through  TEXT,
    PRIMARY KEY (run_id, link_id)
);

CREATE TABLE tether_cursors (
    link_id          INTEGER PRIMARY KEY REFERENCES tether_links (id) ON DELETE CASCADE,
    pulled_through   TEXT               -- where the next pull starts, less the overlap window
);

CREATE TABLE tether_runs (
    id          INTEGER PRIMARY KEY,
    link_id     INTEGER REFERENCES tether_links (id) ON DELETE SET NULL,
    link_name   TEXT NOT NULL,
    trigger     TEXT NOT NULL CHECK (trigger IN ('button', 'schedule', 'cli', 'undo')),
    status      TEXT NOT NULL CHECK (status IN
                    ('running', 'succeeded', 'partial', 'failed', 'cancelled', 'interrupted')),
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    processed   INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    deleted     INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    conflicts   INTEGER NOT NULL DEFAULT 0,
    api_calls   INTEGER NOT NULL DEFAULT 0,
    message     TEXT,
    undo_of     INTEGER REFERENCES tether_runs (id),
    undone_by   INTEGER REFERENCES tether_runs (id)
);
CREATE INDEX tether_runs_by_link ON tether_runs (link_name, id);

CREATE TABLE tether_run_errors (
    id        INTEGER PRIMARY KEY,
    run_id    INTEGER NOT NULL REFERENCES tether_runs (id) ON DELETE CASCADE,
    side      TEXT NOT NULL CHECK (side IN ('salesforce', 'local')),
    sf_id     TEXT,
    row_key   TEXT,
    code      TEXT NOT NULL,
    message   TEXT NOT NULL,
    fields    TEXT NOT NULL DEFAULT '[]',   -- JSON array of field names
    payload   TEXT,                          -- JSON: what was sent
    hint      TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX tether_run_errors_by_run ON tether_run_errors (run_id);

CREATE TABLE tether_conflicts (
    id            INTEGER PRIMARY KEY,
    link_id       INTEGER NOT NULL REFERENCES tether_links (id) ON DELETE CASCADE,
    sf_id         TEXT NOT NULL,
    row_key       TEXT,
    field         TEXT NOT NULL,
    base          TEXT,                 -- JSON values
    local         TEXT,
    remote        TEXT,
    detected_run  INTEGER REFERENCES tether_runs (id),
    detected_at   TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'kept_local', 'kept_salesforce', 'agreed')),
    resolved_at   TEXT
);
CREATE UNIQUE INDEX tether_conflicts_open ON tether_conflicts (link_id, sf_id, field)
    WHERE status = 'open';

-- Salesforce before- and after-images, written before the request is sent so that a run
-- interrupted mid-push can still be undone.
CREATE TABLE tether_remote_images (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES tether_runs (id) ON DELETE CASCADE,
    object     TEXT NOT NULL,
    sf_id      TEXT,
    row_key    TEXT,
    op         TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),
    before     TEXT,
    after      TEXT,
    confirmed  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tether_remote_images_by_run ON tether_remote_images (run_id);

CREATE TABLE tether_audit (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL,
    detail   TEXT
);
