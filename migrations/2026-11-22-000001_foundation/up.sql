-- Foundation: accounts, taxonomy, seeker profiles, organisations, jobs, profile views and the index outbox.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    display_name  text NOT NULL,
    role          text NOT NULL CHECK (role IN ('seeker', 'employer', 'admin')),
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per issued refresh token; a family is one login's chain of rotations.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    family_id   uuid NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- Failed logins, kept in the database so that every API node sees the same window.
CREATE TABLE login_failures (
    id          bigserial PRIMARY KEY,
    email       text NOT NULL,
    client_addr text NOT NULL,
    failed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email ON login_failures (email, failed_at);
CREATE INDEX login_failures_addr ON login_failures (client_addr, failed_at);

CREATE TABLE skills (
    id          text PRIMARY KEY,
    source      text NOT NULL CHECK (source IN ('life_science', 'esco', 'jobtech')),
    label_en    text,
    label_sv    text,
    area        text,
    description text
);

-- Every label and synonym of a skill, with a lower-cased, accent-free form for lookups.
CREATE TABLE skill_labels (
    id         bigserial PRIMARY KEY,
    skill_id   text NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
    label      text NOT NULL,
    normalized text NOT NULL,
    lang       text NOT NULL CHECK (lang IN ('en', 'sv')),
    preferred  boolean NOT NULL
);
CREATE INDEX skill_labels_skill ON skill_labels (skill_id);
CREATE INDEX skill_labels_prefix ON skill_labels (normalized text_pattern_ops);
CREATE INDEX skill_labels_trgm ON skill_labels USING gin (normalized gin_trgm_ops);

CREATE TABLE seeker_profiles (
    user_id         uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    candidate_id    uuid NOT NULL UNIQUE,
    full_name       text NOT NULL,
    headline        text NOT NULL,
    summary         text NOT NULL,
    city            text NOT NULL,
    country         text NOT NULL,
    work_permit     text NOT NULL CHECK (work_permit IN ('eu_eea_citizen', 'has_permit', 'needs_sponsorship')),
    available_from  date,
    open_to_sectors text[] NOT NULL DEFAULT '{}',
    searchable      boolean NOT NULL DEFAULT false,
    in_partner_pool boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE profile_skills (
    seeker_id uuid NOT NULL REFERENCES seeker_profiles (user_id) ON DELETE CASCADE,
    position  integer NOT NULL,
    skill_id  text REFERENCES skills (id),
    name      text NOT NULL,
    level     smallint CHECK (level BETWEEN 1 AND 5),
    years     real CHECK (years >= 0),
    PRIMARY KEY (seeker_id, position)
);
CREATE INDEX profile_skills_skill ON profile_skills (skill_id);

CREATE TABLE profile_languages (
    seeker_id uuid NOT NULL REFERENCES seeker_profiles (user_id) ON DELETE CASCADE,
    code      text NOT NULL,
    level     text NOT NULL CHECK (level IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2', 'native')),
    PRIMARY KEY (seeker_id, code)
);

CREATE TABLE profile_experience (
    seeker_id    uuid NOT NULL REFERENCES seeker_profiles (user_id) ON DELETE CASCADE,
    position     integer NOT NULL,
    title        text NOT NULL,
    organization text NOT NULL,
    start_date   date NOT NULL,
    end_date     date,
    description  text,
    PRIMARY KEY (seeker_id, position)
);

CREATE TABLE profile_education (
    seeker_id   uuid NOT NULL REFERENCES seeker_profiles (user_id) ON DELETE CASCADE,
    position    integer NOT NULL,
    degree      text NOT NULL,
    field       text NOT NULL,
    institution text NOT NULL,
    year        integer,
    PRIMARY KEY (seeker_id, position)
);

CREATE TABLE profile_desired_locations (
    seeker_id uuid NOT NULL REFERENCES seeker_profiles (user_id) ON DELETE CASCADE,
    position  integer NOT NULL,
    city      text,
    region    text,
    country   text NOT NULL,
    PRIMARY KEY (seeker_id, position)
);

CREATE TABLE organizations (
    id                   uuid PRIMARY KEY,
    name                 text NOT NULL,
    org_number           text UNIQUE,
    sector               text NOT NULL,
    website              text,
    description          text,
    city                 text NOT NULL,
    country              text NOT NULL,
    network_member_since timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            text NOT NULL CHECK (role IN ('admin', 'recruiter')),
    contact_point   boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE network_requests (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    requested_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    approved_at     timestamptz,
    approved_by     uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX network_requests_one_pending ON network_requests (organization_id) WHERE approved_at IS NULL;

CREATE TABLE jobs (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title           text NOT NULL,
    description     text NOT NULL,
    city            text NOT NULL,
    country         text NOT NULL,
    remote          text NOT NULL CHECK (remote IN ('no', 'hybrid', 'full')),
    employment_type text NOT NULL,
    sector          text NOT NULL,
    apply_url       text,
    closes_at       timestamptz,
    status          text NOT NULL CHECK (status IN ('draft', 'published', 'closed')),
    published_at    timestamptz,
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    source          text NOT NULL DEFAULT 'tandem',
    external_id     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_listing ON jobs (published_at DESC, id) WHERE status = 'published';
CREATE INDEX jobs_organization ON jobs (organization_id);
CREATE UNIQUE INDEX jobs_external ON jobs (source, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE job_skills (
    job_id   uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    position integer NOT NULL,
    skill_id text REFERENCES skills (id),
    name     text NOT NULL,
    required boolean NOT NULL,
    PRIMARY KEY (job_id, position)
);
CREATE INDEX job_skills_skill ON job_skills (skill_id);

CREATE TABLE job_languages (
    job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    code   text NOT NULL,
    level  text CHECK (level IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2', 'native')),
    PRIMARY KEY (job_id, code)
);

-- Every full-profile view, shown to the seeker. The organisation's name is kept so the record outlives it.
CREATE TABLE profile_views (
    id                uuid PRIMARY KEY,
    seeker_id         uuid NOT NULL REFERENCES seeker_profiles (user_id) ON DELETE CASCADE,
    viewer_id         uuid REFERENCES users (id) ON DELETE SET NULL,
    organization_id   uuid REFERENCES organizations (id) ON DELETE SET NULL,
    organization_name text NOT NULL,
    viewed_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX profile_views_seeker ON profile_views (seeker_id, viewed_at DESC);

-- Changes the search index must apply, written in the same transaction as the change itself.
CREATE TABLE index_outbox (
    seq        bigserial PRIMARY KEY,
    entity     text NOT NULL CHECK (entity IN ('candidate', 'job')),
    entity_id  uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
