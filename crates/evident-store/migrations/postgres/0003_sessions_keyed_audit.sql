-- Server-side sign-in sessions (the cookie holds a random id, stored here only as SHA-256),
-- and the hash scheme of each audit row: 1 = SHA-256 (rows written before the audit key),
-- 2 = HMAC-SHA256 under the audit key kept outside the database (postgres).
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    token_id BIGINT NOT NULL REFERENCES tokens (id),
    created_ms BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX sessions_token ON sessions (token_id);
CREATE INDEX sessions_expires ON sessions (expires_ms);

ALTER TABLE audit ADD COLUMN scheme BIGINT NOT NULL DEFAULT 1;
