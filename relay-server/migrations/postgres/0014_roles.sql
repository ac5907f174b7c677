-- PostgreSQL twin of sqlite/0014_roles.sql: the same schema, with BIGINT for SQLite's INTEGER, identity
-- columns for AUTOINCREMENT and BYTEA for BLOB (checked by the store's migration test).
-- Roles (docs/roles.md): what each adviser account may do. Accounts made before roles
-- existed: the oldest becomes admin, the others advisers (an admin changes them with
-- `tandem-relay adviser set-role`).
ALTER TABLE advisers ADD COLUMN role TEXT NOT NULL DEFAULT 'adviser';
UPDATE advisers SET role = 'admin'
 WHERE id = (SELECT id FROM advisers ORDER BY created_at, id LIMIT 1);
-- API tokens' scope: `read`, `write` or `admin`. Tokens made before scopes existed could do
-- everything: they keep that until revoked.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'read';
UPDATE api_tokens SET scope = 'admin';
