-- Reaching residents: message templates (versioned), and the outbox every
-- message passes through on its way to GOV.UK Notify (or, without Notify, is
-- kept in for staff to read).

-- A template is never changed: saving one again makes its next version, and
-- a message records the version it used.
CREATE TABLE message_templates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    version     BIGINT  NOT NULL,
    channel     TEXT    NOT NULL CHECK (channel IN ('sms', 'email', 'letter')),
    subject_en  TEXT    NOT NULL,
    body_en     TEXT    NOT NULL,
    subject_cy  TEXT    NOT NULL,
    body_cy     TEXT    NOT NULL,
    created_by  BIGINT  NOT NULL,
    created_at  TEXT    NOT NULL,
    UNIQUE (name, version)
);

-- One row per message. `reference` is ours, unique, and sent to Notify with
-- the message: after a crash a message caught between "sending" and "sent"
-- is looked up at Notify by its reference before it is sent again, so
-- nothing goes twice and nothing is lost.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    reference        TEXT    NOT NULL UNIQUE,
    campaign_id      BIGINT,
    step_no          INTEGER,
    household_id     BIGINT  NOT NULL,
    person_id        BIGINT,
    channel          TEXT    NOT NULL CHECK (channel IN ('sms', 'email', 'letter')),
    template_name    TEXT    NOT NULL,
    template_version BIGINT  NOT NULL,
    language         TEXT    NOT NULL,
    recipient        TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    body             TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'kept')),
    failure          TEXT    NOT NULL DEFAULT '',
    notify_id        TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    sent_at          TEXT,
    completed_at     TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_household ON outbox (household_id);
CREATE INDEX outbox_notify ON outbox (notify_id);

-- Texts residents sent back (Notify's received-text callback), and the
-- numbers that asked for no more texts.
CREATE TABLE inbound_texts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    notify_id    TEXT    NOT NULL UNIQUE,
    from_number  TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    received_at  TEXT    NOT NULL,
    opt_out      BOOLEAN NOT NULL
);
CREATE TABLE text_opt_outs (
    phone       TEXT   PRIMARY KEY,
    at          TEXT   NOT NULL,
    inbound_id  BIGINT NOT NULL
);
