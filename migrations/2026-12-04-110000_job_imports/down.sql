DROP TABLE import_feeds;
DROP TABLE job_fingerprint_bands;
DROP TABLE job_fingerprints;
ALTER TABLE job_skills DROP COLUMN found, DROP COLUMN snippet;
DROP TABLE job_sources;
