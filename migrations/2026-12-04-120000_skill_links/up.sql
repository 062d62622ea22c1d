-- Links between skills of different sources that mean the same or overlapping things (the official ESCO ↔ JobTech
-- mapping, and curated life-science skills that JobTech has too). `relation` says what the linked skill is to
-- `skill_id`: `exact` and `close` make the two one skill for matching; `broad` means the linked skill is broader,
-- `narrow` that it is narrower. Each pair is stored once, in one direction.
CREATE TABLE skill_links (
    skill_id        text NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
    linked_skill_id text NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
    relation        text NOT NULL CHECK (relation IN ('exact', 'close', 'broad', 'narrow')),
    PRIMARY KEY (skill_id, linked_skill_id),
    CHECK (skill_id <> linked_skill_id)
);
CREATE INDEX skill_links_linked ON skill_links (linked_skill_id);

-- The in-memory taxonomy holds the links too, so a change reloads it like a change of skills or labels.
CREATE TRIGGER skill_links_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON skill_links
    FOR EACH STATEMENT EXECUTE FUNCTION notify_taxonomy_changed();
