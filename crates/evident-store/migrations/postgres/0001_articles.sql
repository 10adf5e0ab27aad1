-- Articles, versions, reviews, follow-ups, users, tokens and the audit trail (PostgreSQL).
CREATE TABLE users (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);

CREATE TABLE tokens (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    hash TEXT NOT NULL UNIQUE,
    created_ms BIGINT NOT NULL,
    revoked_ms BIGINT
);

CREATE TABLE articles (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    question TEXT NOT NULL,
    normalized TEXT NOT NULL,
    facts_key TEXT NOT NULL,
    audience TEXT NOT NULL,
    status TEXT NOT NULL,
    latest_version BIGINT NOT NULL,
    approved_version BIGINT,
    approved_by BIGINT REFERENCES users (id),
    approved_ms BIGINT,
    revision BIGINT NOT NULL,
    embedding BYTEA,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX articles_reuse ON articles (facts_key, audience, status);
CREATE INDEX articles_status ON articles (status, updated_ms);

CREATE TABLE versions (
    article_id BIGINT NOT NULL REFERENCES articles (id),
    n BIGINT NOT NULL,
    answer TEXT NOT NULL,
    corpus_version TEXT NOT NULL,
    author_id BIGINT REFERENCES users (id),
    note TEXT,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (article_id, n)
);

CREATE TABLE reviews (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id),
    reviewer_id BIGINT NOT NULL REFERENCES users (id),
    version BIGINT NOT NULL,
    from_status TEXT NOT NULL,
    decision TEXT NOT NULL,
    note TEXT,
    created_ms BIGINT NOT NULL
);
CREATE INDEX reviews_article ON reviews (article_id, id);

CREATE TABLE follow_ups (
    article_id BIGINT NOT NULL REFERENCES articles (id),
    n BIGINT NOT NULL,
    question TEXT NOT NULL,
    facts TEXT NOT NULL,
    answer TEXT NOT NULL,
    asked_by BIGINT REFERENCES users (id),
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (article_id, n)
);

CREATE TABLE audit (
    seq BIGINT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    before TEXT,
    after TEXT,
    note TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_object ON audit (object, seq);

-- The chain's head: every writing transaction locks this row first, which orders writers
-- and keeps the chain linear.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
