-- Articles, versions, reviews, follow-ups, users, tokens and the audit trail (SQLite).
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);

CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    hash TEXT NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL,
    revoked_ms INTEGER
);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    question TEXT NOT NULL,
    normalized TEXT NOT NULL,
    facts_key TEXT NOT NULL,
    audience TEXT NOT NULL,
    status TEXT NOT NULL,
    latest_version INTEGER NOT NULL,
    approved_version INTEGER,
    approved_by INTEGER REFERENCES users (id),
    approved_ms INTEGER,
    revision INTEGER NOT NULL,
    embedding BLOB,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX articles_reuse ON articles (facts_key, audience, status);
CREATE INDEX articles_status ON articles (status, updated_ms);

CREATE TABLE versions (
    article_id INTEGER NOT NULL REFERENCES articles (id),
    n INTEGER NOT NULL,
    answer TEXT NOT NULL,
    corpus_version TEXT NOT NULL,
    author_id INTEGER REFERENCES users (id),
    note TEXT,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (article_id, n)
);

CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id),
    reviewer_id INTEGER NOT NULL REFERENCES users (id),
    version INTEGER NOT NULL,
    from_status TEXT NOT NULL,
    decision TEXT NOT NULL,
    note TEXT,
    created_ms INTEGER NOT NULL
);
CREATE INDEX reviews_article ON reviews (article_id, id);

CREATE TABLE follow_ups (
    article_id INTEGER NOT NULL REFERENCES articles (id),
    n INTEGER NOT NULL,
    question TEXT NOT NULL,
    facts TEXT NOT NULL,
    answer TEXT NOT NULL,
    asked_by INTEGER REFERENCES users (id),
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (article_id, n)
);

CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
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
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
