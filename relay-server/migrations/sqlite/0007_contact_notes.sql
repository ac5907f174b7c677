-- Notes advisers keep on a contact (not on one session): "prefers to be called after 6 pm".
CREATE TABLE contact_notes (
    id          TEXT PRIMARY KEY,
    contact_id  TEXT NOT NULL REFERENCES contacts(id),
    adviser_id  TEXT,
    author      TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX contact_notes_by_contact ON contact_notes(contact_id, created_at);
