-- Links read a local datetime written without an offset in their own time zone. Links stored
-- before read such times as UTC: they keep that zone, so nothing they stored looks edited.
UPDATE tether_links
SET definition = json_set(definition, '$.time_zone', 'UTC')
WHERE json_extract(definition, '$.time_zone') IS NULL;
