-- JobTech taxonomy concepts other than skills (occupations, places, languages, employment types, ...), kept so that
-- imported job ads can be mapped from their concept ids.
CREATE TABLE jobtech_concepts (
    concept_id             text PRIMARY KEY,
    type                   text NOT NULL,
    label                  text NOT NULL,
    legacy_ams_taxonomy_id text
);
