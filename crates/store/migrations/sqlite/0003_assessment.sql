-- Life events, risk, resilience, personas and the weekly worklists (issue 4),
-- and the few casework facts the worklist must respect.

-- The highest household id a run gave, so ids of households that have gone
-- are never given to new ones (a case or a kept worklist may point at them).
ALTER TABLE link_runs ADD COLUMN max_household_id BIGINT NOT NULL DEFAULT 0;

-- One run of `upstream assess --as-of DATE`: the model it used and when.
CREATE TABLE assessment_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    as_of         TEXT    NOT NULL,
    run_at        TEXT    NOT NULL,
    link_run_id   BIGINT  NOT NULL,
    model_version TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    library       TEXT    NOT NULL,
    households    BIGINT  NOT NULL
);

CREATE TABLE assessments (
    run_id          BIGINT  NOT NULL,
    household_id    BIGINT  NOT NULL,
    in_crisis       BOOLEAN NOT NULL,
    probability     REAL,
    reasons         TEXT    NOT NULL,
    resilience      INTEGER NOT NULL,
    resilience_band TEXT    NOT NULL,
    resilience_parts TEXT   NOT NULL,
    persona         TEXT    NOT NULL,
    persona_reason  TEXT    NOT NULL,
    PRIMARY KEY (run_id, household_id)
);
CREATE INDEX assessments_household ON assessments (household_id);

CREATE TABLE life_events (
    run_id       BIGINT NOT NULL,
    household_id BIGINT NOT NULL,
    event        TEXT   NOT NULL,
    event_date   TEXT   NOT NULL,
    person_id    BIGINT,
    detail       TEXT   NOT NULL,
    evidence     TEXT   NOT NULL
);
CREATE INDEX life_events_household ON life_events (run_id, household_id);

-- Teams that make proactive contact, and how many new households a week each can take.
CREATE TABLE teams (
    name                TEXT    PRIMARY KEY,
    capacity            INTEGER NOT NULL,
    areas               TEXT    NOT NULL,
    recent_contact_days INTEGER NOT NULL,
    min_probability     REAL   NOT NULL
);

-- A manual fast-track: who set it, when, why, until when.
CREATE TABLE fast_track_flags (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id BIGINT NOT NULL,
    set_by       TEXT   NOT NULL,
    set_at       TEXT   NOT NULL,
    reason       TEXT   NOT NULL,
    expires_on   TEXT   NOT NULL,
    cleared_at   TEXT
);
CREATE INDEX fast_track_household ON fast_track_flags (household_id);

-- A resident who asked not to be contacted proactively.
CREATE TABLE contact_preferences (
    household_id   BIGINT  PRIMARY KEY,
    do_not_contact BOOLEAN NOT NULL,
    recorded_by    TEXT    NOT NULL,
    recorded_at    TEXT    NOT NULL,
    note           TEXT    NOT NULL
);

-- Contacts made with a household (casework adds detail later).
CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id BIGINT NOT NULL,
    contacted_on TEXT   NOT NULL,
    channel      TEXT   NOT NULL,
    outcome      TEXT   NOT NULL,
    recorded_by  TEXT   NOT NULL
);
CREATE INDEX contacts_household ON contacts (household_id);

-- Cases (casework adds detail later); an open one keeps a household off the worklist.
CREATE TABLE cases (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id BIGINT NOT NULL,
    status       TEXT   NOT NULL,
    opened_on    TEXT   NOT NULL,
    closed_on    TEXT
);
CREATE INDEX cases_household ON cases (household_id);

-- Each team's list for each week, kept as it was made.
CREATE TABLE worklists (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    team              TEXT   NOT NULL,
    week_start        TEXT   NOT NULL,
    assessment_run_id BIGINT NOT NULL,
    created_at        TEXT   NOT NULL,
    capacity          INTEGER NOT NULL,
    excluded          TEXT   NOT NULL,
    UNIQUE (team, week_start)
);

CREATE TABLE worklist_entries (
    worklist_id  BIGINT  NOT NULL,
    rank         INTEGER NOT NULL,
    household_id BIGINT  NOT NULL,
    probability  REAL,
    persona      TEXT    NOT NULL,
    fast_tracked BOOLEAN NOT NULL,
    why          TEXT    NOT NULL,
    PRIMARY KEY (worklist_id, rank)
);
CREATE INDEX worklist_entries_household ON worklist_entries (household_id);
