-- Job alerts: saved searches and profile matches that mail seekers about new jobs, each job at most once per alert.

-- One row per alert. `query` holds the criteria, normalised (skills resolved to taxonomy ids); it is NULL for an
-- alert that only matches the seeker's own profile.
CREATE TABLE alerts (
    id            uuid PRIMARY KEY,
    seeker_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL,
    query         jsonb CHECK (query IS NULL OR jsonb_typeof(query) = 'object'),
    match_profile boolean NOT NULL,
    frequency     text NOT NULL CHECK (frequency IN ('instant', 'daily', 'weekly')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (query IS NOT NULL OR match_profile)
);

-- Listing a seeker's alerts, oldest first.
CREATE INDEX alerts_seeker ON alerts (seeker_id, created_at, id);
-- The matcher picks up newly created saved searches by their creation time.
CREATE INDEX alerts_created ON alerts (created_at) WHERE query IS NOT NULL;
-- From a job's skills to the profile-only alerts of the seekers who have them.
CREATE INDEX alerts_profile_only ON alerts (seeker_id) WHERE match_profile AND query IS NULL;

-- Every (alert, job) pair ever matched, once: the primary key is what makes "never twice" hold. Instant matches are
-- written as sent, with the mail that carried them, in the transaction that queues that mail; digest matches wait
-- as pending until their digest is queued.
CREATE TABLE alert_matches (
    alert_id       uuid NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    job_id         uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    -- Why the job matched: [{skill_id, name}] of the job's skills that met the alert.
    matched_skills jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(matched_skills) = 'array'),
    status         text NOT NULL CHECK (status IN ('pending', 'sent')),
    -- The mail_outbox row that carried the job (no foreign key: erasing mail must not touch this history).
    mail_id        uuid,
    matched_at     timestamptz NOT NULL DEFAULT now(),
    sent_at        timestamptz,
    PRIMARY KEY (alert_id, job_id)
);

-- What the digests read.
CREATE INDEX alert_matches_pending ON alert_matches (alert_id) WHERE status = 'pending';
-- What a change to a job withdraws, and deleting a job.
CREATE INDEX alert_matches_job ON alert_matches (job_id);

-- Positions of consumers of index_outbox other than the search indexer (which keeps its own in the index). Each is
-- moved in the same transaction as the effects of the changes it has consumed.
CREATE TABLE outbox_cursors (
    name     text PRIMARY KEY,
    position bigint NOT NULL
);

-- The alert matcher starts at the present: jobs changed before alerts existed are nobody's news.
INSERT INTO outbox_cursors (name, position) SELECT 'alerts', coalesce(max(seq), 0) FROM index_outbox;

-- The last digest slot (e.g. Monday 07:00 Europe/Stockholm) each scheduled digest has gone out for, so that a
-- restart neither skips nor repeats one.
CREATE TABLE alert_digest_runs (
    frequency text PRIMARY KEY CHECK (frequency IN ('daily', 'weekly')),
    slot      timestamptz NOT NULL
);
