-- The change feed: one row per record, written in the transaction of the
-- change. A record's position is (txid, seq): the writing transaction's id
-- and a sequence value. Readers return only rows whose txid is below the
-- oldest transaction still running (pg_snapshot_xmin), so a row below a
-- returned one can never appear later (see src/feed.rs).
CREATE TABLE feed (
    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    seq bigserial NOT NULL,
    tenant_id text NOT NULL,
    resource_type text NOT NULL,
    resource_id text NOT NULL,
    version bigint,
    kind text NOT NULL,
    detail jsonb,
    occurred_at timestamptz NOT NULL,
    resource jsonb,
    PRIMARY KEY (txid, seq)
);
CREATE INDEX feed_tenant ON feed (tenant_id, txid, seq);
CREATE INDEX feed_resource ON feed (tenant_id, resource_type, resource_id, txid, seq);
CREATE INDEX feed_time ON feed (occurred_at);

CREATE TABLE feed_consumers (
    name text PRIMARY KEY,
    cursor text,
    data jsonb NOT NULL,
    updated_at timestamptz NOT NULL
);
