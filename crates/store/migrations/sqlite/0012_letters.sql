-- Letters written on a case, kept as the PDF that was sent: what the
-- resident received is the record, whatever the templates say later.
CREATE TABLE letters (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    duty_id     BIGINT,
    code        TEXT   NOT NULL,
    title       TEXT   NOT NULL,
    language    TEXT   NOT NULL,
    sent_on     TEXT   NOT NULL,
    pdf         BLOB  NOT NULL,
    created_by  BIGINT NOT NULL,
    created_at  TEXT   NOT NULL
);
CREATE INDEX letters_case ON letters (case_id);
