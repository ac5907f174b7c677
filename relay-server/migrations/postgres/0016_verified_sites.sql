-- PostgreSQL twin of sqlite/0016_verified_sites.sql: the same schema, with BIGINT for SQLite's INTEGER, identity
-- columns for AUTOINCREMENT and BYTEA for BLOB (checked by the store's migration test).
-- Verified-only sites: only visitors whose user id the site signed may start a chat or leave
-- a message. Each site may sign with its own secret (else the relay's --identity-secret).
ALTER TABLE sites ADD COLUMN verified_only BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN identity_secret TEXT;
