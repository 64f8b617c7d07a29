-- The change feed: one row per record, written in the transaction of the
-- change. SQLite has one writer, so AUTOINCREMENT positions are in commit
-- order (and never reused, even after pruning the newest records).
CREATE TABLE feed (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    version INTEGER,                    -- NULL after a delete
    kind TEXT NOT NULL,                 -- created, updated, deactivated, ...
    detail TEXT,                        -- JSON array: changed attributes or member ids
    occurred_at TEXT NOT NULL,          -- fixed-width RFC 3339 UTC
    resource TEXT                       -- the resource after the change, when kept
);
CREATE INDEX feed_tenant ON feed (tenant_id, position);
CREATE INDEX feed_resource ON feed (tenant_id, resource_type, resource_id, position);
CREATE INDEX feed_time ON feed (occurred_at);

-- Durable named readers (webhook endpoints, workers): cursor and free state.
CREATE TABLE feed_consumers (
    name TEXT PRIMARY KEY,
    cursor TEXT,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
