-- Record-scoped runs: a run that read and wrote only some records of its link says which.
-- `scope` is what the history shows ("key ACME-1", "3 records: …"); `scope_records` the same
-- records as JSON ({"keys": […], "ids": […]}), so that later runs can tell what it covered.
-- Both are NULL for a run of the whole link.
ALTER TABLE tether_runs ADD COLUMN scope TEXT;
ALTER TABLE tether_runs ADD COLUMN scope_records TEXT;
