-- The right to be forgotten and retention. An erasure leaves a line saying it happened (who,
-- when, how much), never whose data it was: the contact is named by a hash of its id.
CREATE TABLE erasures (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_ref TEXT NOT NULL,
    erased_at   INTEGER NOT NULL,
    erased_by   TEXT NOT NULL,
    sessions    INTEGER NOT NULL,
    tickets     INTEGER NOT NULL
);

-- Set when retention deleted a session's transcript (the session's facts stay for reports).
ALTER TABLE conversations ADD COLUMN transcript_purged_at INTEGER;
