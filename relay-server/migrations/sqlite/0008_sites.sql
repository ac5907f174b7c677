-- Sites: one relay serves several websites. A tag names its site (`data-site="acme"`); without
-- one, the `default` site. origins and queues: newline-separated lists, empty meaning any.
-- appearance: JSON (colour, corner, launcher text and greeting per language).
CREATE TABLE sites (
    key        TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    origins    TEXT NOT NULL DEFAULT '',
    queues     TEXT NOT NULL DEFAULT '',
    appearance TEXT NOT NULL DEFAULT '{"color":"#1d4ed8"}',
    updated_at INTEGER NOT NULL
);
INSERT INTO sites (key, name, updated_at) VALUES ('default', 'Default site', 0);

ALTER TABLE conversations ADD COLUMN site TEXT NOT NULL DEFAULT 'default';
ALTER TABLE tickets ADD COLUMN site TEXT NOT NULL DEFAULT 'default';
