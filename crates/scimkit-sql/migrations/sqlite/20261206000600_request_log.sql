-- The request log: one row per answered SCIM request (scimkit_sql::RequestLog),
-- bounded per tenant by pruning; newest first by id.
CREATE TABLE request_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant TEXT NOT NULL,
    time TEXT NOT NULL,                 -- fixed-width RFC 3339 UTC
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    filter TEXT,
    status INTEGER NOT NULL,
    scim_type TEXT,
    detail TEXT,
    duration_us INTEGER NOT NULL,
    switches TEXT NOT NULL,             -- ",name,name," (empty: "")
    resource_type TEXT,
    resource_id TEXT,
    request_body TEXT,
    response_body TEXT
);
CREATE INDEX request_log_tenant ON request_log (tenant, id);
CREATE INDEX request_log_resource ON request_log (tenant, resource_type, resource_id, id);
