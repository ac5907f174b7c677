-- PostgreSQL twin of sqlite/0001_crm.sql: the same schema, with BIGINT for SQLite's INTEGER, identity
-- columns for AUTOINCREMENT and BYTEA for BLOB (checked by the store's migration test).
-- Tandem's CRM store: contacts, conversations (CRM "sessions") with their numbered events,
-- advisers and their logins, API tokens, and the relay's own settings (signing secrets).

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE advisers (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    max_chats     BIGINT NOT NULL DEFAULT 2,
    created_at    BIGINT NOT NULL
);

CREATE TABLE adviser_logins (
    token_hash TEXT PRIMARY KEY,
    adviser_id TEXT NOT NULL REFERENCES advisers(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- A contact is either verified (external_id: the site's own user id, signed by the site) or
-- not; unverified contacts are unique by email and by phone, so a returning visitor is the
-- same contact, but typing a verified customer's email never attaches to their record.
CREATE TABLE contacts (
    id          TEXT PRIMARY KEY,
    external_id TEXT UNIQUE,
    name        TEXT NOT NULL,
    email       TEXT,
    phone       TEXT,
    company     TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX contacts_unverified_email ON contacts(email) WHERE external_id IS NULL AND email IS NOT NULL;
CREATE UNIQUE INDEX contacts_unverified_phone ON contacts(phone) WHERE external_id IS NULL AND phone IS NOT NULL;
CREATE INDEX contacts_by_email ON contacts(email);
CREATE INDEX contacts_by_phone ON contacts(phone);

CREATE TABLE conversations (
    id              TEXT PRIMARY KEY,
    contact_id      TEXT NOT NULL REFERENCES contacts(id),
    channel         TEXT NOT NULL,
    visitor_name    TEXT NOT NULL,
    reason          TEXT NOT NULL,
    page_url        TEXT,
    locale          TEXT,
    status          TEXT NOT NULL,
    requested_at    BIGINT NOT NULL,
    accepted_at     BIGINT,
    ended_at        BIGINT,
    ended_by        TEXT,
    resolution      TEXT,
    answer          TEXT,
    agreed_solution TEXT,
    actions_taken   TEXT,
    follow_up_date  TEXT,
    compensation    TEXT,
    prevention      TEXT,
    wrapped_up_at   BIGINT,
    wrapped_up_by   TEXT REFERENCES advisers(id)
);
CREATE INDEX conversations_by_contact ON conversations(contact_id, requested_at);
CREATE INDEX conversations_by_status ON conversations(status);
CREATE INDEX conversations_by_time ON conversations(requested_at);

CREATE TABLE conversation_advisers (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    adviser_id      TEXT NOT NULL REFERENCES advisers(id),
    joined_at       BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, adviser_id)
);

-- Every stored event of a conversation, numbered from 1 without gaps.
CREATE TABLE events (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    seq             BIGINT NOT NULL,
    at              BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    client_msg_id   TEXT,
    data            TEXT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
CREATE UNIQUE INDEX events_by_client_msg_id ON events(conversation_id, client_msg_id)
    WHERE client_msg_id IS NOT NULL;
