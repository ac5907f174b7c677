-- Verified-only sites: only visitors whose user id the site signed may start a chat or leave
-- a message. Each site may sign with its own secret (else the relay's --identity-secret).
ALTER TABLE sites ADD COLUMN verified_only INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN identity_secret TEXT;
