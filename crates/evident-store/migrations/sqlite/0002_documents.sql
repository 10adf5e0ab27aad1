-- Corpus documents under review (the starter knowledge base) and their review decisions (SQLite).
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    source TEXT,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    approved_by INTEGER REFERENCES users (id),
    approved_ms INTEGER,
    revision INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX documents_status ON documents (status, doc_id);

CREATE TABLE document_reviews (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents (doc_id),
    reviewer_id INTEGER NOT NULL REFERENCES users (id),
    sha256 TEXT NOT NULL,
    from_status TEXT NOT NULL,
    decision TEXT NOT NULL,
    note TEXT,
    created_ms INTEGER NOT NULL
);
CREATE INDEX document_reviews_doc ON document_reviews (doc_id, id);
