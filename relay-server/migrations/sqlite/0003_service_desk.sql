-- The service desk: queues by topic with business hours, adviser levels and queues, transfers,
-- internal notes, tickets (messages, callbacks, abandoned chats), canned answers, surveys.

-- hours: an OpenStreetMap opening_hours expression ("Mo-Fr 09:00-18:00"), NULL for 24/7, in
-- the queue's IANA time zone. max_wait_secs: above this estimate the widget offers a message
-- or a callback instead of the queue.
CREATE TABLE queues (
    key                TEXT PRIMARY KEY,
    name_en            TEXT NOT NULL,
    name_fr            TEXT NOT NULL,
    hours              TEXT,
    timezone           TEXT NOT NULL DEFAULT 'UTC',
    max_wait_secs      INTEGER,
    reply_within_hours INTEGER NOT NULL DEFAULT 24,
    position           INTEGER NOT NULL DEFAULT 0
);
INSERT INTO queues (key, name_en, name_fr) VALUES ('general', 'General question', 'Question générale');

-- queues: comma-separated keys the adviser serves; empty serves every queue.
ALTER TABLE advisers ADD COLUMN level INTEGER NOT NULL DEFAULT 1;
ALTER TABLE advisers ADD COLUMN queues TEXT NOT NULL DEFAULT '';

ALTER TABLE conversations ADD COLUMN queue TEXT NOT NULL DEFAULT 'general';
ALTER TABLE conversations ADD COLUMN level INTEGER NOT NULL DEFAULT 1;
ALTER TABLE conversations ADD COLUMN first_response_at INTEGER;
ALTER TABLE conversations ADD COLUMN abandoned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN csat INTEGER;
ALTER TABLE conversations ADD COLUMN ces INTEGER;
ALTER TABLE conversations ADD COLUMN nps INTEGER;
ALTER TABLE conversations ADD COLUMN survey_comment TEXT;
ALTER TABLE conversations ADD COLUMN surveyed_at INTEGER;

CREATE TABLE handovers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    from_adviser    TEXT NOT NULL REFERENCES advisers(id),
    target          TEXT NOT NULL,
    note            TEXT NOT NULL,
    at              INTEGER NOT NULL
);
CREATE INDEX handovers_by_conversation ON handovers(conversation_id, at);

CREATE TABLE notes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    adviser_id      TEXT NOT NULL REFERENCES advisers(id),
    body            TEXT NOT NULL,
    at              INTEGER NOT NULL
);
CREATE INDEX notes_by_conversation ON notes(conversation_id, at);

CREATE TABLE canned_answers (
    id         TEXT PRIMARY KEY,
    shortcut   TEXT NOT NULL,
    locale     TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (shortcut, locale)
);

CREATE TABLE tickets (
    id              TEXT PRIMARY KEY,
    contact_id      TEXT NOT NULL REFERENCES contacts(id),
    conversation_id TEXT REFERENCES conversations(id),
    queue           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    message         TEXT NOT NULL,
    locale          TEXT,
    callback_at     INTEGER,
    status          TEXT NOT NULL DEFAULT 'open',
    created_at      INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    answer          TEXT,
    answered_by     TEXT REFERENCES advisers(id),
    answered_at     INTEGER,
    emailed_at      INTEGER,
    email_error     TEXT
);
CREATE INDEX tickets_by_status ON tickets(status, due_at);
CREATE INDEX tickets_by_contact ON tickets(contact_id, created_at);
