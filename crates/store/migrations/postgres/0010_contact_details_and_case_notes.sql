-- How to reach a household, what happened on a case, and why someone from
-- another team looked at it.

-- Staff corrections and additions to a household's phones, emails and
-- postal addresses: the council's own record, which wins over the source
-- systems (a resident who says "that number is wrong" is believed before a
-- benefits extract). Rows are only added: the newest row for a value says
-- whether it may be used, and the older ones are its history.
CREATE TABLE contact_details (
    id           BIGSERIAL PRIMARY KEY,
    household_id BIGINT  NOT NULL,
    person_id    BIGINT,
    kind         TEXT    NOT NULL CHECK (kind IN ('phone', 'email', 'address')),
    value        TEXT    NOT NULL,
    usable       BOOLEAN NOT NULL,
    note         TEXT    NOT NULL,
    recorded_by  BIGINT  NOT NULL,
    recorded_at  TEXT    NOT NULL
);
CREATE INDEX contact_details_household ON contact_details (household_id);

-- How the household would like to be contacted, in what language, and what
-- must never be done ("do not write to this address", "text only").
ALTER TABLE contact_preferences ADD COLUMN preferred_channel TEXT;
ALTER TABLE contact_preferences ADD COLUMN language TEXT;
ALTER TABLE contact_preferences ADD COLUMN safe_contact TEXT NOT NULL DEFAULT '';

-- Case notes: written once, never edited (a correction is a new note).
CREATE TABLE case_notes (
    id          BIGSERIAL PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    body        TEXT   NOT NULL,
    recorded_by BIGINT NOT NULL,
    recorded_at TEXT   NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id);

-- A member of staff outside a case's team states why before they see it;
-- the case's team leader sees who looked and why.
CREATE TABLE case_access_reasons (
    id        BIGSERIAL PRIMARY KEY,
    case_id   BIGINT NOT NULL REFERENCES cases (id),
    user_id   BIGINT NOT NULL,
    user_team TEXT,
    reason    TEXT   NOT NULL,
    at        TEXT   NOT NULL
);
CREATE INDEX case_access_reasons_case ON case_access_reasons (case_id, user_id);
