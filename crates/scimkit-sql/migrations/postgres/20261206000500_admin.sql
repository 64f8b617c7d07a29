-- The example server's console: its admin credential (an Argon2id PHC
-- string, one row named 'admin') and the admin's sessions (only the SHA-256
-- digest of a session id is kept).
CREATE TABLE admin_credentials (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    updated TIMESTAMPTZ NOT NULL
);
CREATE TABLE admin_sessions (
    id_sha256 TEXT PRIMARY KEY,
    csrf TEXT NOT NULL,
    created TIMESTAMPTZ NOT NULL,
    expires TIMESTAMPTZ NOT NULL
);
CREATE INDEX admin_sessions_created ON admin_sessions (created);
