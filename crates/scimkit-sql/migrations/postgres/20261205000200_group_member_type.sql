-- The resource type of the group a member row belongs to, so that deleting
-- a member can bump the versions of its groups through the resources_id
-- index (tenant_id, resource_type, id). Rows written before this migration
-- take it from their group.
ALTER TABLE group_members ADD COLUMN group_type TEXT;
UPDATE group_members g SET group_type = r.resource_type
    FROM resources r
    WHERE r.tenant_id = g.tenant_id AND r.id = g.group_id;
