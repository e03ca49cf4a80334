-- The monthly run (`upstream run`): each run and each of its steps, for the
-- administrators' page and for an operator reading what happened overnight.
-- status: running, finished, attention (finished, with something for a
-- person to put right), failed, interrupted (its process died; the next
-- run took over), refused (another run held the lock; nothing was done).
CREATE TABLE pipeline_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at  TEXT    NOT NULL,
    finished_at TEXT,
    status      TEXT    NOT NULL,
    host        TEXT    NOT NULL,
    pid         BIGINT  NOT NULL,
    -- The interrupted run this one took over from.
    resumes     BIGINT,
    failure     TEXT
);

-- status: running, done, skipped (already up to date), failed, interrupted.
-- counts and warnings are JSON (an object of numbers; a list of sentences).
CREATE TABLE pipeline_steps (
    run_id      BIGINT  NOT NULL,
    step        TEXT    NOT NULL,
    started_at  TEXT    NOT NULL,
    finished_at TEXT,
    status      TEXT    NOT NULL,
    -- What it did, in a sentence for people.
    summary     TEXT    NOT NULL,
    counts      TEXT    NOT NULL,
    warnings    TEXT    NOT NULL,
    failure     TEXT,
    PRIMARY KEY (run_id, step)
);

-- At most one row: the run that may change the single view now. Taken by
-- inserting (the primary key refuses a second), kept alive by a heartbeat,
-- handed on only when its holder is shown to be gone.
CREATE TABLE run_lock (
    name         TEXT    PRIMARY KEY,
    run_id       BIGINT  NOT NULL,
    host         TEXT    NOT NULL,
    pid          BIGINT  NOT NULL,
    acquired_at  TEXT    NOT NULL,
    heartbeat_at TEXT    NOT NULL
);

-- Which ingested files a link run saw (the highest ingest_files id then), so
-- a run can tell whether the single view is already up to date.
ALTER TABLE link_runs ADD COLUMN ingested_through BIGINT;
