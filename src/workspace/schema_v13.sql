-- The SOQL explorer's statements, from the window and `tether query`: each run (the latest
-- kept, newest first) and the ones saved under a name.
CREATE TABLE tether_query_history (
    id          INTEGER PRIMARY KEY,
    connection  TEXT NOT NULL,
    soql        TEXT NOT NULL,
    ran_at      TEXT NOT NULL,
    records     INTEGER,            -- the org's total, NULL when it refused the statement
    error       TEXT                -- the org's error code when it refused
);
CREATE INDEX tether_query_history_by_id ON tether_query_history (id DESC);

CREATE TABLE tether_saved_queries (
    name        TEXT PRIMARY KEY COLLATE NOCASE,
    soql        TEXT NOT NULL,
    saved_at    TEXT NOT NULL
);
