-- Failed sign-ins counted per account *and client* (the address the attempts
-- came from), so that someone who knows a username cannot lock its owner
-- out by failing on purpose: only their own client is locked. Rows with
-- user_id 0 count a client's failures over every account, a throttle on one
-- client trying many usernames or passwords. users.locked_until keeps the
-- latest lock of an account from any one client, for administrators to see.
CREATE TABLE sign_in_failures (
    user_id         BIGINT  NOT NULL,
    client          TEXT    NOT NULL,
    failed_attempts INTEGER NOT NULL,
    last_failed_at  TEXT    NOT NULL,
    locked_until    TEXT,
    PRIMARY KEY (user_id, client)
);
