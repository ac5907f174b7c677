-- The outbox feeds several destinations (the webhook, HubSpot, Salesforce): each row is one
-- event for one destination, delivered in order within its destination, independently of the
-- others (a CRM that is down holds back only its own rows).
ALTER TABLE outbox ADD COLUMN destination TEXT NOT NULL DEFAULT 'webhook';
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox(destination, delivered_at, id);
