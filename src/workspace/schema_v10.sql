-- Object describes kept across runs, so that a run with nothing to do reads no describe. A
-- run refreshes one when an answer says the object changed (INVALID_FIELD, INVALID_TYPE, or a
-- mapped field the describe does not have).

CREATE TABLE tether_describes (
    url           TEXT PRIMARY KEY,  -- the describe's URL: the org's instance, API version and object
    last_modified TEXT,              -- the org's Last-Modified, sent back as If-Modified-Since
    body          TEXT NOT NULL,     -- the describe's JSON as the org sent it
    fetched_at    TEXT NOT NULL
);
