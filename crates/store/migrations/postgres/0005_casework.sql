-- Casework (issue 5): worklist assignments, cases with one named connector,
-- the strengths-based conversation, the support plan, contact attempts,
-- homelessness duties and their letters, consent, and referrals in and out.
-- Dates are ISO text (2026-03-14); times are UTC text of one fixed width.

-- A team leader gives each entry of a kept list to a connector.
ALTER TABLE worklist_entries ADD COLUMN assigned_to BIGINT;
ALTER TABLE worklist_entries ADD COLUMN assigned_by BIGINT;
ALTER TABLE worklist_entries ADD COLUMN assigned_at TEXT;
CREATE INDEX worklist_entries_assigned ON worklist_entries (assigned_to);

-- A case has one named connector, who may change (the change is audited).
ALTER TABLE cases ADD COLUMN team TEXT;
ALTER TABLE cases ADD COLUMN connector_id BIGINT;
-- How it began: worklist, referral or self_referral.
ALTER TABLE cases ADD COLUMN origin TEXT NOT NULL DEFAULT 'worklist';
ALTER TABLE cases ADD COLUMN referral_id BIGINT;
ALTER TABLE cases ADD COLUMN nation TEXT NOT NULL DEFAULT 'england';
ALTER TABLE cases ADD COLUMN opened_by BIGINT;
ALTER TABLE cases ADD COLUMN closure_reason TEXT;
ALTER TABLE cases ADD COLUMN closure_note TEXT;
ALTER TABLE cases ADD COLUMN closed_by BIGINT;
CREATE INDEX cases_connector ON cases (connector_id, status);
CREATE INDEX cases_team ON cases (team, status);

-- Contact attempts belong to a case when made in one.
ALTER TABLE contacts ADD COLUMN case_id BIGINT;
ALTER TABLE contacts ADD COLUMN note TEXT NOT NULL DEFAULT '';
CREATE INDEX contacts_case ON contacts (case_id);

-- The conversation record: each save is a new version; the latest is shown.
CREATE TABLE conversations (
    id              BIGSERIAL PRIMARY KEY,
    case_id         BIGINT NOT NULL REFERENCES cases (id),
    held_on         TEXT   NOT NULL,
    what_matters    TEXT   NOT NULL,
    strengths       TEXT   NOT NULL,
    support_network TEXT   NOT NULL,
    worries         TEXT   NOT NULL,
    goals           TEXT   NOT NULL,
    recorded_by     BIGINT NOT NULL,
    recorded_at     TEXT   NOT NULL
);
CREATE INDEX conversations_case ON conversations (case_id);

-- The support plan: SMART actions owned by the resident or by staff.
CREATE TABLE plan_actions (
    id               BIGSERIAL PRIMARY KEY,
    case_id          BIGINT NOT NULL REFERENCES cases (id),
    what             TEXT   NOT NULL,
    how_we_will_know TEXT   NOT NULL,
    owner            TEXT   NOT NULL CHECK (owner IN ('resident', 'staff')),
    owner_name       TEXT   NOT NULL,
    due_on           TEXT   NOT NULL,
    status           TEXT   NOT NULL,
    created_by       BIGINT NOT NULL,
    created_at       TEXT   NOT NULL,
    updated_at       TEXT   NOT NULL
);
CREATE INDEX plan_actions_case ON plan_actions (case_id);

-- Homelessness duties owed within a case, and their letters.
CREATE TABLE duties (
    id                   BIGSERIAL PRIMARY KEY,
    case_id              BIGINT NOT NULL REFERENCES cases (id),
    kind                 TEXT   NOT NULL CHECK (kind IN ('prevention', 'relief')),
    nation               TEXT   NOT NULL,
    started_on           TEXT   NOT NULL,
    ended_on             TEXT,
    start_letter_sent_on TEXT,
    end_letter_sent_on   TEXT,
    recorded_by          BIGINT NOT NULL,
    recorded_at          TEXT   NOT NULL
);
CREATE INDEX duties_case ON duties (case_id);

-- What a resident agreed to share, with whom, for what, until when.
-- Withdrawal is a date set on the row; nothing is deleted.
CREATE TABLE consents (
    id            BIGSERIAL PRIMARY KEY,
    household_id  BIGINT NOT NULL,
    case_id       BIGINT,
    given_by      TEXT   NOT NULL,
    purposes      TEXT   NOT NULL,
    obtained_how  TEXT   NOT NULL,
    given_on      TEXT   NOT NULL,
    expires_on    TEXT,
    recorded_by   BIGINT NOT NULL,
    recorded_at   TEXT   NOT NULL,
    withdrawn_on  TEXT,
    withdrawn_by  BIGINT,
    withdrawn_at  TEXT,
    withdrawal_note TEXT
);
CREATE INDEX consents_household ON consents (household_id);
-- One row per organisation a consent names (as partner accounts name it), so
-- a partner's households are found by an index, not by reading every consent.
CREATE TABLE consent_organisations (
    consent_id   BIGINT NOT NULL REFERENCES consents (id),
    organisation TEXT   NOT NULL,
    PRIMARY KEY (consent_id, organisation)
);
CREATE INDEX consent_organisations_org ON consent_organisations (organisation);

-- Referrals: in from partners or the public into a team's queue, and out
-- from a case to a partner (only with the resident's consent).
CREATE TABLE referrals (
    id                BIGSERIAL PRIMARY KEY,
    direction         TEXT   NOT NULL CHECK (direction IN ('in', 'out')),
    team              TEXT,
    case_id           BIGINT,
    household_id      BIGINT,
    consent_id        BIGINT,
    from_organisation TEXT   NOT NULL,
    to_organisation   TEXT   NOT NULL,
    referrer_name     TEXT   NOT NULL,
    referrer_contact  TEXT   NOT NULL,
    created_by        BIGINT,
    subject_name      TEXT   NOT NULL,
    subject_dob       TEXT,
    subject_address   TEXT   NOT NULL,
    subject_postcode  TEXT   NOT NULL,
    subject_phone     TEXT   NOT NULL,
    reason            TEXT   NOT NULL,
    urgent            BOOLEAN NOT NULL,
    resident_agreed   BOOLEAN NOT NULL,
    status            TEXT   NOT NULL CHECK (status IN ('new', 'accepted', 'declined')),
    received_at       TEXT   NOT NULL,
    decided_by        BIGINT,
    decided_at        TEXT,
    decision_note     TEXT
);
CREATE INDEX referrals_queue ON referrals (direction, team, status);
CREATE INDEX referrals_household ON referrals (household_id);
CREATE INDEX referrals_from ON referrals (from_organisation);
CREATE INDEX referrals_to ON referrals (to_organisation);

-- Partner organisations: what each does (the consent purposes it serves),
-- so consent is checked for organisation and purpose together.
CREATE TABLE partner_organisations (
    name       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    purposes   TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Keys partner systems use to send referrals by the JSON API. Only a
-- SHA-256 of each key is kept, as for sessions.
CREATE TABLE partner_api_keys (
    key_hash     TEXT PRIMARY KEY,
    organisation TEXT NOT NULL REFERENCES partner_organisations (name),
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);
