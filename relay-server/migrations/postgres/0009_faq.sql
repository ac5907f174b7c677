-- PostgreSQL twin of sqlite/0009_faq.sql: the same schema, with BIGINT for SQLite's INTEGER, identity
-- columns for AUTOINCREMENT and BYTEA for BLOB (checked by the store's migration test).
-- The knowledge base suggested to visitors as they type their reason.
CREATE TABLE articles (
    id         TEXT PRIMARY KEY,
    locale     TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
