-- Evidence uploaded to a case (a tenancy agreement, a notice, a letter from a
-- landlord): kept as uploaded, never changed.
CREATE TABLE case_documents (
    id           BIGSERIAL PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    kind         TEXT   NOT NULL,
    file_name    TEXT   NOT NULL,
    content_type TEXT   NOT NULL,
    bytes        BYTEA  NOT NULL,
    uploaded_by  BIGINT NOT NULL,
    uploaded_at  TEXT   NOT NULL
);
CREATE INDEX case_documents_case ON case_documents (case_id);
