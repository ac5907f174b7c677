-- PostgreSQL twin of sqlite/0010_files.sql: the same schema, with BIGINT for SQLite's INTEGER, identity
-- columns for AUTOINCREMENT and BYTEA for BLOB (checked by the store's migration test).
-- Files shared in chats (images, PDF), stored with the session; erased with the contact and
-- purged with the transcript. key: random, part of the download link.
CREATE TABLE files (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    key             TEXT NOT NULL,
    name            TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    bytes           BIGINT NOT NULL,
    data            BYTEA NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX files_by_conversation ON files(conversation_id);
