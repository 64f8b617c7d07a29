-- scimkit-sql schema, SQLite. One row per resource; the document is JSON text.
CREATE TABLE resources (
    seq INTEGER PRIMARY KEY,            -- insertion order (the default list order)
    tenant_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    created TEXT NOT NULL,              -- fixed-width RFC 3339 UTC, text order = time order
    last_modified TEXT NOT NULL,
    data TEXT NOT NULL,                 -- the resource without id, meta and (Groups) members
    user_name_lower TEXT,               -- lowercased userName
    external_id TEXT,
    display_name_lower TEXT             -- lowercased displayName
);
CREATE UNIQUE INDEX resources_id ON resources (tenant_id, resource_type, id);
CREATE INDEX resources_user_name ON resources (tenant_id, resource_type, user_name_lower);
CREATE INDEX resources_external_id ON resources (tenant_id, resource_type, external_id);
CREATE INDEX resources_display_name ON resources (tenant_id, resource_type, display_name_lower);
CREATE INDEX resources_order ON resources (tenant_id, resource_type, seq);

-- E-mail addresses, for index lookups of emails[type eq "work"].value eq "…".
CREATE TABLE resource_emails (
    tenant_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    type_lower TEXT,
    value_lower TEXT NOT NULL
);
CREATE INDEX resource_emails_value ON resource_emails (tenant_id, value_lower, type_lower);
CREATE INDEX resource_emails_owner ON resource_emails (tenant_id, resource_type, resource_id);

-- Group membership: one row per member, so one member changes one row.
CREATE TABLE group_members (
    tenant_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    member_id_lower TEXT NOT NULL,
    type TEXT,
    display TEXT,
    ref TEXT,
    PRIMARY KEY (tenant_id, group_id, member_id)
) WITHOUT ROWID;
CREATE INDEX group_members_member ON group_members (tenant_id, member_id_lower);

-- Values of attributes with uniqueness server/global (userName; Group
-- displayName when configured; custom ones): the primary key refuses a
-- duplicate per tenant and type. Case-insensitive values are lowercased.
CREATE TABLE unique_values (
    tenant_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    attr TEXT NOT NULL,
    value TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, resource_type, attr, value)
) WITHOUT ROWID;
CREATE INDEX unique_values_owner ON unique_values (tenant_id, resource_type, resource_id);
