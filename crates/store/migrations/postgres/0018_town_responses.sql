-- How residents answered the council's contact, when the answers come in as
-- a batch rather than one callback at a time: a simulated town's
-- `responses/*.csv` (issue "Reaching out", item 9), and in time a contact
-- centre's log. Each answer is recorded once, however often its file is read.
CREATE TABLE contact_responses (
    id            BIGSERIAL PRIMARY KEY,
    reference     TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('called', 'replied', 'stop')),
    household_id  BIGINT,
    responded_on  TEXT    NOT NULL,
    sender        TEXT    NOT NULL,
    message       TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    recorded_at   TEXT    NOT NULL,
    UNIQUE (reference, kind)
);
CREATE INDEX contact_responses_household ON contact_responses (household_id);
