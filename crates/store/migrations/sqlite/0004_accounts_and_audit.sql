-- Staff accounts, their sessions, and the audit log (issue 5).
-- Times are UTC text of one fixed width (2025-01-31T09:00:00.000000Z), so
-- comparing the text compares the times.

CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Lower case, so "JSmith" and "jsmith" are one account.
    username        TEXT    NOT NULL UNIQUE,
    display_name    TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('connector', 'team_leader', 'partner_worker', 'analyst', 'administrator')),
    -- The partner organisation a partner worker belongs to (consent names organisations).
    organisation    TEXT,
    -- The team a connector or team leader works in (teams.name; not enforced,
    -- so a team can be set up after its people).
    team            TEXT,
    -- Argon2id, in the PHC string format (algorithm, parameters, salt and hash).
    password_hash   TEXT    NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT    NOT NULL,
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    CHECK (role <> 'partner_worker' OR organisation IS NOT NULL)
);

-- A signed-in browser. Only a SHA-256 of the cookie's random token is kept:
-- someone who reads this table cannot sign in as anyone.
CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    csrf_token   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Every view and change of personal data, and every sign-in: append-only and
-- chained, each entry's hash covering the one before (see docs/access.md).
-- Ids are given by the store, one more than the last, under the append lock.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT    NOT NULL,
    user_id      BIGINT,
    username     TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    subject_kind TEXT    NOT NULL,
    subject_id   TEXT    NOT NULL,
    purpose      TEXT    NOT NULL,
    detail       TEXT    NOT NULL,
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_kind, subject_id);
CREATE INDEX audit_log_username ON audit_log (username);
CREATE INDEX audit_log_at ON audit_log (at);

-- The store has no way to change or remove an entry; these refuse it from
-- anywhere else too. (Someone who can drop them can also rewrite rows: the
-- hash chain is what shows that happened.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
