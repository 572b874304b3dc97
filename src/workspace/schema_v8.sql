-- Links read a local datetime written without an offset in their own time zone. Links stored
-- before read such times as UTC: they keep that zone, so nothing they stored looks edited.
UPDATE tether_links
SET definition = json_set(definition, '$.time_zone', 'UTC')
WHERE json_extract(definition, '$.time_zone') IS NULL;

-- Tables Tether created itself (a template's, the demo's), which `tether link verify --fix`
-- may rebuild with other column types. Links a template or the demo created name theirs.
CREATE TABLE tether_managed_tables (
    name        TEXT PRIMARY KEY COLLATE NOCASE,
    created_by  TEXT NOT NULL
);
INSERT OR IGNORE INTO tether_managed_tables (name, created_by)
SELECT json_extract(l.definition, '$.table'), a.actor
FROM tether_links l
JOIN tether_audit a ON a.subject = l.name AND a.action = 'link.create'
WHERE a.actor IN ('template', 'demo');
