-- The council's gazetteer, each address placed on it, and households as
-- people live them (issue 13).

-- Every LPI of the gazetteer as the latest export that wrote it holds it:
-- a full export inserts, change-only exports update; nothing is deleted, a
-- demolished property is historical (logical_status 8). An older export
-- loaded after a newer one never overwrites it.
CREATE TABLE gazetteer_lpis (
    lpi_key        TEXT    PRIMARY KEY,
    uprn           TEXT    NOT NULL,
    postcode       TEXT,
    logical_status INTEGER NOT NULL,
    -- The export that last wrote the LPI ('' when its file name gives no date).
    extract_date   TEXT    NOT NULL,
    file_id        BIGINT  NOT NULL REFERENCES ingest_files (id),
    -- The whole LPI (every BS 7666 field) as JSON.
    lpi            TEXT    NOT NULL
);
CREATE INDEX gazetteer_lpis_uprn ON gazetteer_lpis (uprn);
CREATE INDEX gazetteer_lpis_postcode ON gazetteer_lpis (postcode);

-- Where the last link run placed each distinct address the records hold
-- (standardised text, postcode and any UPRN given with it): a UPRN and how
-- it was found, or why not. Replaced by each run, in its transaction.
CREATE TABLE address_placements (
    address    TEXT    NOT NULL,
    postcode   TEXT    NOT NULL,
    given_uprn TEXT    NOT NULL,
    uprn       TEXT,
    -- given_uprn | exact | fuzzy | unplaced
    method     TEXT    NOT NULL,
    score      DOUBLE PRECISION,
    -- Why an address was not placed, in words; the candidate UPRNs when ambiguous.
    reason     TEXT,
    candidates TEXT,
    -- The sources whose records hold it, and how many record versions.
    sources    TEXT    NOT NULL,
    records    BIGINT  NOT NULL,
    PRIMARY KEY (address, postcode, given_uprn)
);

-- Per source, how many record versions' addresses were placed each way.
CREATE TABLE address_placement_counts (
    source  TEXT   NOT NULL,
    method  TEXT   NOT NULL,
    records BIGINT NOT NULL,
    PRIMARY KEY (source, method)
);

-- A household's make-up over time: who lived there from when to when, so
-- an assessment as of a date sees the people there on that date.
ALTER TABLE household_members ADD COLUMN from_date TEXT;
ALTER TABLE household_members ADD COLUMN to_date TEXT;

-- Households that a run found to be one family (the same people at the same
-- property, once two households through an address written two ways): the
-- older id survives, and what pointed at the other now points at it.
CREATE TABLE household_merges (
    run_id  BIGINT NOT NULL,
    from_id BIGINT NOT NULL PRIMARY KEY,
    into_id BIGINT NOT NULL
);
