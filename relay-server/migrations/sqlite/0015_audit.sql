-- The audit trail (docs/roles.md): who did what, when, from which address. Append-only: no
-- route changes or deletes an entry, and the store refuses updates (a trigger installed at
-- start, `Store::guard_audit_trail`); only its own retention (`--audit-days`) removes the
-- oldest. Entries name contacts by id only, so an erasure leaves them without personal data.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT,
    actor_name  TEXT NOT NULL,
    address     TEXT,
    action      TEXT NOT NULL,
    target_kind TEXT,
    target_id   TEXT,
    detail      TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
