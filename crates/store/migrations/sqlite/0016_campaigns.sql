-- Campaigns: a cohort (today, a team's weekly list), a sequence of steps by
-- letter, text, email, phone call or door knock, and for each household the
-- arm of the experiment it was drawn into. What each step left out, and
-- why, is counted.
CREATE TABLE campaigns (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT    NOT NULL,
    team            TEXT    NOT NULL,
    cohort          TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('running', 'finished')),
    seed            BIGINT  NOT NULL,
    holdout_percent INTEGER NOT NULL CHECK (holdout_percent BETWEEN 0 AND 90),
    created_by      BIGINT  NOT NULL,
    created_at      TEXT    NOT NULL,
    started_on      TEXT    NOT NULL
);

CREATE TABLE campaign_steps (
    campaign_id   BIGINT  NOT NULL REFERENCES campaigns (id),
    step_no       INTEGER NOT NULL,
    day_offset    INTEGER NOT NULL,
    channel       TEXT    NOT NULL,
    template_name TEXT,
    skip_if       TEXT    NOT NULL,
    PRIMARY KEY (campaign_id, step_no)
);

-- `arm` is `contact` or `held_back`, drawn by a seeded hash of the
-- campaign's seed and the household, so it can be drawn again and checked.
CREATE TABLE campaign_members (
    campaign_id  BIGINT NOT NULL REFERENCES campaigns (id),
    household_id BIGINT NOT NULL,
    arm          TEXT   NOT NULL,
    joined_on    TEXT   NOT NULL,
    PRIMARY KEY (campaign_id, household_id)
);

-- Per step, the households left out and why (the latest count replaces the last).
CREATE TABLE campaign_exclusions (
    campaign_id BIGINT  NOT NULL REFERENCES campaigns (id),
    step_no     INTEGER NOT NULL,
    reason_code TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    households  BIGINT  NOT NULL,
    PRIMARY KEY (campaign_id, step_no, reason_code)
);

-- Safe-contact rules staff can tick, beside the free-text note, so an
-- automated step can obey them: never write to this address, text only, do
-- not phone.
ALTER TABLE contact_preferences ADD COLUMN no_letters BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE contact_preferences ADD COLUMN text_only BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE contact_preferences ADD COLUMN no_calls BOOLEAN NOT NULL DEFAULT FALSE;
