-- A resent message is recognised by its client id within its conversation. The index starts
-- with the client id, so that ids which grow with time (the widget and the console send
-- UUIDv7: the sending time first) are added at its end: a batch of messages from many
-- conversations touches one or two of its pages instead of one page per conversation (the
-- load harness: fewer pages written to SQLite's log per message). Random ids still work.
DROP INDEX events_by_client_msg_id;
CREATE UNIQUE INDEX events_by_client_msg_id ON events(client_msg_id, conversation_id)
    WHERE client_msg_id IS NOT NULL;
