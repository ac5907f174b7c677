-- PostgreSQL twin of sqlite/0007_contact_notes.sql: the same schema, with BIGINT for SQLite's INTEGER, identity
-- columns for AUTOINCREMENT and BYTEA for BLOB (checked by the store's migration test).
-- Notes advisers keep on a contact (not on one session): "prefers to be called after 6 pm".
CREATE TABLE contact_notes (
    id          TEXT PRIMARY KEY,
    contact_id  TEXT NOT NULL REFERENCES contacts(id),
    adviser_id  TEXT,
    author      TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX contact_notes_by_contact ON contact_notes(contact_id, created_at);
