-- PostgreSQL twin of sqlite/0013_visit_receipts_invitations.sql: the same schema, with BIGINT for SQLite's INTEGER, identity
-- columns for AUTOINCREMENT and BYTEA for BLOB (checked by the store's migration test).
-- Where the visitor is and with what (pages of the visit, device, local time), as JSON
-- (`tandem_shared::visit::VisitContext`), replaced as the visitor moves.
ALTER TABLE conversations ADD COLUMN visit TEXT;
-- Read receipts: the highest event number each side's screen has shown.
ALTER TABLE conversations ADD COLUMN visitor_seen_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN adviser_seen_seq BIGINT NOT NULL DEFAULT 0;
-- The email address typed in this conversation's pre-chat form (the transcript goes there,
-- not to the contact's, which a typed match must not reach), and when the transcript was
-- emailed (once per conversation).
ALTER TABLE conversations ADD COLUMN visitor_email TEXT;
ALTER TABLE conversations ADD COLUMN transcript_emailed_at BIGINT;
-- Proactive invitations: each site's rules as JSON (`tandem_shared::invitation::InvitationRule`).
ALTER TABLE sites ADD COLUMN invitations TEXT NOT NULL DEFAULT '[]';
-- What visitors did with each rule, per UTC day (day_ms: that day's midnight): a bounded
-- number of rows (rules × days), whatever the traffic.
CREATE TABLE invitation_counts (
    site      TEXT NOT NULL,
    rule      TEXT NOT NULL,
    day_ms    BIGINT NOT NULL,
    shown     BIGINT NOT NULL DEFAULT 0,
    opened    BIGINT NOT NULL DEFAULT 0,
    dismissed BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (site, rule, day_ms)
);
