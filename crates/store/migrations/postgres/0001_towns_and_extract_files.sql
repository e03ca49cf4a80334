-- A simulated town (or, later, a council) whose extracts are registered.
CREATE TABLE towns (
    id           BIGSERIAL PRIMARY KEY,
    profile      TEXT   NOT NULL,
    council_name TEXT   NOT NULL,
    seed         BIGINT NOT NULL,
    households   BIGINT NOT NULL,
    months       BIGINT NOT NULL,
    start_month  TEXT   NOT NULL,
    created_at   TEXT   NOT NULL,
    UNIQUE (profile, seed, households, months)
);

-- Every extract file the platform knows. The same bytes for the same source and
-- month are one file, whatever it is called; an empty month is not another month.
CREATE TABLE extract_files (
    id            BIGSERIAL PRIMARY KEY,
    town_id       BIGINT REFERENCES towns (id),
    source        TEXT   NOT NULL,
    period        TEXT   NOT NULL,
    file_name     TEXT   NOT NULL,
    sha256        TEXT   NOT NULL,
    rows          BIGINT NOT NULL CHECK (rows >= 0),
    bytes         BIGINT NOT NULL CHECK (bytes >= 0),
    registered_at TEXT   NOT NULL
);
CREATE UNIQUE INDEX extract_files_identity ON extract_files (source, period, sha256);
