-- Tenants of a multi-tenant SCIM server: one Tenant URL and one Secret Token
-- each. Only the SHA-256 digest of the token is kept (64 lowercase hex digits).
CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,              -- fixed-width RFC 3339 UTC
    token_rotated TEXT NOT NULL
);
