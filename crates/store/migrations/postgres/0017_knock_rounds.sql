-- Door knocking (seed 002): a round is a list of doors in the order to walk
-- them, with the safety notes for lone working; each door's outcome is
-- recorded on the spot, and also kept as a contact on the household.
CREATE TABLE knock_rounds (
    id             BIGSERIAL PRIMARY KEY,
    team           TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    campaign_id    BIGINT,
    step_no        INTEGER,
    visit_in_pairs BOOLEAN NOT NULL,
    safety_note    TEXT    NOT NULL,
    created_by     BIGINT  NOT NULL,
    created_at     TEXT    NOT NULL,
    created_on     TEXT    NOT NULL
);

CREATE TABLE knock_doors (
    round_id     BIGINT  NOT NULL REFERENCES knock_rounds (id),
    position     INTEGER NOT NULL,
    household_id BIGINT  NOT NULL,
    street       TEXT    NOT NULL,
    address      TEXT    NOT NULL,
    postcode     TEXT    NOT NULL,
    outcome      TEXT,
    note         TEXT    NOT NULL DEFAULT '',
    recorded_by  TEXT,
    recorded_at  TEXT,
    PRIMARY KEY (round_id, household_id)
);
CREATE INDEX knock_doors_household ON knock_doors (household_id);
