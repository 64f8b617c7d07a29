-- The resource type of the group a member row belongs to, so that deleting
-- a member can bump the versions of its groups through the resources_id
-- index (tenant_id, resource_type, id). Rows written before this migration
-- take it from their group.
ALTER TABLE group_members ADD COLUMN group_type TEXT;
UPDATE group_members SET group_type = (
    SELECT r.resource_type FROM resources r
    WHERE r.tenant_id = group_members.tenant_id AND r.id = group_members.group_id
    LIMIT 1
);
