-- How far a link's runs have read the change log. A run of the whole link that finishes reads
-- only the rows logged after `seq` (and the records Salesforce sent), not the whole table,
-- as long as the link is defined as it was then and its capture triggers were never missing.
CREATE TABLE tether_local_marks (
    link_id     INTEGER PRIMARY KEY REFERENCES tether_links (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,       -- the last change-log entry the run had read
    definition  TEXT NOT NULL,          -- the link as it was read (crate::sync::link::Link)
    read_at     TEXT NOT NULL           -- when: conflicts decided since are read again
);
