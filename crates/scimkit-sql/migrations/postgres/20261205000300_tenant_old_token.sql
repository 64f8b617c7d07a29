-- `tenant rotate-token --keep-old-for`: the digest of the previous token and
-- when it stops being accepted; both NULL when only the current token works.
ALTER TABLE tenants ADD COLUMN old_token_sha256 TEXT;
ALTER TABLE tenants ADD COLUMN old_token_expires TIMESTAMPTZ;
