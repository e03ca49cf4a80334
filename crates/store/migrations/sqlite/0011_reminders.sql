-- A connector's reminders: a task on a case with a day it is due ("ring the
-- landlord on Friday"). Done, it is kept with when; never deleted.
CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    user_id     BIGINT NOT NULL,
    what        TEXT   NOT NULL,
    due_on      TEXT   NOT NULL,
    created_at  TEXT   NOT NULL,
    done_at     TEXT
);
CREATE INDEX reminders_user ON reminders (user_id, done_at);
CREATE INDEX reminders_case ON reminders (case_id);
