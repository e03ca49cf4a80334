-- Letters the council prints itself: a campaign step's letters, one PDF per
-- batch. A letter put in a batch becomes `sent` with its batch and its place
-- in it noted, in the same transaction that makes the batch: no other batch
-- takes it, the Notify sender (which takes only `queued`) never sends it, and
-- printing the batch again gives the same letters in the same order.
CREATE TABLE letter_batches (
    id          BIGSERIAL PRIMARY KEY,
    campaign_id BIGINT  NOT NULL REFERENCES campaigns (id),
    step_no     INTEGER NOT NULL,
    letters     BIGINT  NOT NULL,
    -- The date printed on every letter of the batch.
    dated       TEXT    NOT NULL,
    created_by  BIGINT  NOT NULL,
    created_at  TEXT    NOT NULL,
    -- Known once the PDF is first written; a reprint is checked against them.
    pages       BIGINT,
    sha256      TEXT
);
CREATE INDEX letter_batches_campaign ON letter_batches (campaign_id, step_no);

ALTER TABLE outbox ADD COLUMN batch_id BIGINT REFERENCES letter_batches (id);
ALTER TABLE outbox ADD COLUMN batch_seq INTEGER;
CREATE INDEX outbox_batch ON outbox (batch_id, batch_seq);
-- A step's letters are found by campaign and step, not by a scan of the outbox.
CREATE INDEX outbox_campaign_step ON outbox (campaign_id, step_no);
