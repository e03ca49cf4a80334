-- Ingest: every extract file loaded, every person record read from it (with
-- its provenance and original text), and every row refused into quarantine.
CREATE TABLE ingest_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    source       TEXT    NOT NULL,
    file_name    TEXT    NOT NULL,
    sha256       TEXT    NOT NULL,
    extract_date TEXT,
    -- The extract date, or '' when the file name gives none: the same bytes
    -- for the same source and date are one file (an empty month is not
    -- another month).
    period_key   TEXT    NOT NULL,
    rows_read    BIGINT  NOT NULL,
    records      BIGINT  NOT NULL,
    quarantined  BIGINT  NOT NULL,
    loaded_at    TEXT    NOT NULL,
    UNIQUE (source, period_key, sha256)
);

CREATE TABLE source_records (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id      INTEGER NOT NULL REFERENCES ingest_files (id),
    row_no       BIGINT  NOT NULL,
    source       TEXT    NOT NULL,
    record_key   TEXT    NOT NULL,
    row_means    TEXT    NOT NULL,
    extract_date TEXT,
    title        TEXT,
    forename     TEXT,
    middle_names TEXT,
    surname      TEXT,
    dob          TEXT,
    nino         TEXT,
    postcode     TEXT,
    address      TEXT,
    uprn         TEXT,
    phone        TEXT,
    email        TEXT,
    event_date   TEXT,
    attributes   TEXT    NOT NULL,
    original     TEXT    NOT NULL
);
CREATE INDEX source_records_key ON source_records (source, record_key);

CREATE TABLE quarantine (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id   INTEGER NOT NULL REFERENCES ingest_files (id),
    source    TEXT    NOT NULL,
    file_name TEXT    NOT NULL,
    row_no    BIGINT  NOT NULL,
    field     TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    reason    TEXT    NOT NULL
);

-- Linkage: each run, the people it found (ids kept across runs), which
-- records are whose, merges and splits, scored pairs, and the households.
CREATE TABLE link_runs (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    run_at    TEXT    NOT NULL,
    config    TEXT    NOT NULL,
    model     TEXT    NOT NULL,
    records   BIGINT  NOT NULL,
    people    BIGINT  NOT NULL,
    pairs     BIGINT  NOT NULL,
    threshold DOUBLE PRECISION NOT NULL
);

CREATE TABLE persons (
    id          BIGINT  PRIMARY KEY,
    first_run   BIGINT  NOT NULL,
    last_run    BIGINT  NOT NULL,
    status      TEXT    NOT NULL,
    merged_into BIGINT
);

CREATE TABLE person_records (
    source     TEXT   NOT NULL,
    record_key TEXT   NOT NULL,
    person_id  BIGINT NOT NULL,
    run_id     BIGINT NOT NULL,
    PRIMARY KEY (source, record_key)
);
CREATE INDEX person_records_person ON person_records (person_id);

CREATE TABLE identity_changes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id    BIGINT NOT NULL,
    kind      TEXT   NOT NULL,
    person_id BIGINT NOT NULL,
    others    TEXT   NOT NULL,
    records   BIGINT NOT NULL
);

CREATE TABLE link_pairs (
    run_id      BIGINT NOT NULL,
    source_a    TEXT   NOT NULL,
    key_a       TEXT   NOT NULL,
    source_b    TEXT   NOT NULL,
    key_b       TEXT   NOT NULL,
    weight      DOUBLE PRECISION NOT NULL,
    probability DOUBLE PRECISION NOT NULL
);

CREATE TABLE addresses (
    id       BIGINT PRIMARY KEY,
    addr_key TEXT   NOT NULL UNIQUE,
    uprn     TEXT,
    address  TEXT,
    postcode TEXT
);

CREATE TABLE residences (
    person_id  BIGINT NOT NULL,
    address_id BIGINT NOT NULL,
    from_date  TEXT   NOT NULL,
    to_date    TEXT   NOT NULL,
    sources    TEXT   NOT NULL
);
CREATE INDEX residences_person ON residences (person_id);
CREATE INDEX residences_address ON residences (address_id);

CREATE TABLE households (
    id         BIGINT PRIMARY KEY,
    address_id BIGINT NOT NULL,
    from_date  TEXT   NOT NULL,
    to_date    TEXT   NOT NULL,
    current    BOOLEAN NOT NULL
);

CREATE TABLE household_members (
    household_id BIGINT NOT NULL,
    person_id    BIGINT NOT NULL,
    PRIMARY KEY (household_id, person_id)
);
