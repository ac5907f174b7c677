-- Co-browsing sessions of a conversation: when, who ended them, the pages seen and the fields
-- the adviser filled (names only: values never reach the relay for private fields, and are
-- not kept for the others).
CREATE TABLE cobrowse_sessions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    started_at      INTEGER NOT NULL,
    ended_at        INTEGER,
    ended_by        TEXT
);
CREATE INDEX cobrowse_sessions_by_conversation ON cobrowse_sessions(conversation_id);

CREATE TABLE cobrowse_pages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES cobrowse_sessions(id),
    url        TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX cobrowse_pages_by_session ON cobrowse_pages(session_id);

CREATE TABLE cobrowse_fields (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES cobrowse_sessions(id),
    field      TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX cobrowse_fields_by_session ON cobrowse_fields(session_id);
