-- Records whose Salesforce values the next run of a link reads by Id, whatever its cursor says:
-- the pull cursor only proves that a record did not change since it was last read, and these
-- records were read but not settled (a decision on a conflict waiting to be carried out, a
-- local row that could not be read, a local insert that failed).
CREATE TABLE tether_reread (
    link_id    INTEGER NOT NULL REFERENCES tether_links (id) ON DELETE CASCADE,
    sf_id      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    queued_at  TEXT NOT NULL,
    PRIMARY KEY (link_id, sf_id)
) WITHOUT ROWID;
