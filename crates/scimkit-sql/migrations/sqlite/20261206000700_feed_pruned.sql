-- How far retention has pruned each tenant's feed: the cursor of the newest
-- record deleted (fixed-width hex, so text order is feed order). A reader
-- whose cursor is below it has lost records and is told so (FeedPage::gap).
-- Written before the records go, so a reader never misses a gap.
CREATE TABLE feed_pruned (
    tenant_id TEXT PRIMARY KEY,
    cursor TEXT NOT NULL
);
