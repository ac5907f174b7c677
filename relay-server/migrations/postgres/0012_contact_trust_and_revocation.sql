-- PostgreSQL twin of sqlite/0012_contact_trust_and_revocation.sql: the same schema, with BIGINT for SQLite's INTEGER, identity
-- columns for AUTOINCREMENT and BYTEA for BLOB (checked by the store's migration test).
-- How each conversation's visitor was matched to its contact: `verified` (the site signed
-- the user id), `new` (the request created the contact) or `typed` (an existing contact had
-- the email or phone the visitor typed: not proven to be the same person). Older rows are
-- `typed`, the cautious reading.
ALTER TABLE conversations ADD COLUMN contact_match TEXT NOT NULL DEFAULT 'typed';
-- The company the visitor typed for this conversation (a typed match never changes the
-- contact's own).
ALTER TABLE conversations ADD COLUMN visitor_company TEXT;
-- A verified contact created while an unverified one had the same email or phone: maybe the
-- same person, for an adviser to merge (never merged on email alone).
ALTER TABLE contacts ADD COLUMN merge_candidate TEXT;
-- A disabled adviser can't log in; their logins were ended when they were disabled.
ALTER TABLE advisers ADD COLUMN disabled_at BIGINT;
