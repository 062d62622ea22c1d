-- Imported job ads (issue 13): every source an ad came from, the evidence behind an extracted skill, and the
-- fingerprints that find the same job on another board.

-- One row per (source, ad) that ever reached Tandem; several rows share a job when the same ad came from several
-- boards (`also_at`). The jobs row's own (source, external_id) names the first of them.
CREATE TABLE job_sources (
    source       text NOT NULL,
    external_id  text NOT NULL,
    job_id       uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    url          text,
    -- What the ad said when it was last imported, so an unchanged re-import changes nothing.
    content_hash bytea NOT NULL,
    -- When the source last changed the ad (JobStream's `timestamp`), so an older event re-read changes nothing.
    changed_at   timestamptz,
    withdrawn_at timestamptz,
    imported_at  timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, external_id)
);
CREATE INDEX job_sources_job ON job_sources (job_id);

-- How an imported skill was found: listed by the ad, or read from its text (with the words around it).
ALTER TABLE job_skills
    ADD COLUMN found   text CHECK (found IN ('listed', 'text')),
    ADD COLUMN snippet text;

-- A near-duplicate detector's view of an imported job: title and place keys and a MinHash signature, and the
-- signature's LSH band keys so candidates are found by equality.
CREATE TABLE job_fingerprints (
    job_id      uuid PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    source      text NOT NULL,
    fingerprint bytea NOT NULL
);

CREATE TABLE job_fingerprint_bands (
    band_key bigint NOT NULL,
    job_id   uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    PRIMARY KEY (band_key, job_id)
);
CREATE INDEX job_fingerprint_bands_job ON job_fingerprint_bands (job_id);

-- How far each followed feed (the JobStream) has been imported, so the next `--stream` run goes on from there.
CREATE TABLE import_feeds (
    name         text PRIMARY KEY,
    synced_until timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
