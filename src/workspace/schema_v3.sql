-- Spreadsheet imports. An import is a run (link_id NULL, link_name "Import <file>") so that it
-- shows in the history and can be undone; these tables keep what only an import has.

CREATE TABLE tether_imports (
    run_id     INTEGER PRIMARY KEY REFERENCES tether_runs (id) ON DELETE CASCADE,
    file       TEXT NOT NULL,            -- the path the rows were read from
    connection TEXT NOT NULL,            -- the org it was sent to, by connection name
    object     TEXT NOT NULL,
    mapping    TEXT NOT NULL,            -- JSON (crate::import::mapping::ImportMapping)
    retry_of   INTEGER,                  -- the import whose failed rows this one sent again
    rows       INTEGER NOT NULL DEFAULT 0,
    invalid    INTEGER NOT NULL DEFAULT 0
);

-- What became of each row of the file, by its row number as a person sees it.
CREATE TABLE tether_import_rows (
    run_id   INTEGER NOT NULL REFERENCES tether_runs (id) ON DELETE CASCADE,
    row      INTEGER NOT NULL,
    key      TEXT,
    status   TEXT NOT NULL CHECK (status IN
                 ('created', 'updated', 'unchanged', 'failed', 'invalid', 'not_sent')),
    sf_id    TEXT,
    message  TEXT,
    PRIMARY KEY (run_id, row)
) WITHOUT ROWID;

-- Mappings kept to be offered again for a sheet with the same headers.
CREATE TABLE tether_import_templates (
    name        TEXT PRIMARY KEY,
    object      TEXT NOT NULL,
    headers     TEXT NOT NULL,           -- JSON array, as the sheet writes them
    header_key  TEXT NOT NULL,           -- the headers lower-cased and sorted, joined by tabs
    mapping     TEXT NOT NULL,
    saved_at    TEXT NOT NULL
);
CREATE INDEX tether_import_templates_by_headers ON tether_import_templates (header_key);
