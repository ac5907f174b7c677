-- PostgreSQL twin of sqlite/0017_sso.sql: the same schema, with BIGINT for SQLite's INTEGER, identity
-- columns for AUTOINCREMENT and BYTEA for BLOB (checked by the store's migration test).
-- Single sign-on: an account signed in through the OpenID provider is tied to the provider's
-- subject (a login typed at the provider never takes over a password account), and each
-- sign-in under way keeps its PKCE verifier and nonce here for ten minutes at most (any node
-- of a cluster may get the provider's callback).
ALTER TABLE advisers ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX advisers_oidc_subject ON advisers (oidc_subject);
CREATE TABLE oidc_pending (
    state      TEXT PRIMARY KEY,
    verifier   TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
