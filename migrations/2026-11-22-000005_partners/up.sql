-- Partners (dual career): invitations to link two seekers, the links, recruitments organisations report, referrals
-- of partners between network organisations, and partners who want no more referrals.

-- An invitation by email. Only the SHA-256 of the token is kept; the token itself is only in the email.
CREATE TABLE partner_invitations (
    id          uuid PRIMARY KEY,
    inviter_id  uuid NOT NULL REFERENCES seeker_profiles (user_id) ON DELETE CASCADE,
    email       text NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partner_invitations_inviter ON partner_invitations (inviter_id);

-- A link is two rows, one from each side. The primary key gives each seeker at most one partner; the deferred
-- foreign key makes every row have its mirror, and deleting either row (or either profile) removes both.
CREATE TABLE partner_links (
    seeker_id  uuid PRIMARY KEY REFERENCES seeker_profiles (user_id) ON DELETE CASCADE,
    partner_id uuid NOT NULL REFERENCES seeker_profiles (user_id) ON DELETE CASCADE,
    linked_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (seeker_id <> partner_id),
    UNIQUE (seeker_id, partner_id),
    FOREIGN KEY (partner_id, seeker_id) REFERENCES partner_links (seeker_id, partner_id)
        ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);

-- An organisation says it recruited a seeker; the seeker confirms. Confirmed recruits' partners form the pool.
CREATE TABLE recruitments (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    seeker_id       uuid NOT NULL REFERENCES seeker_profiles (user_id) ON DELETE CASCADE,
    recruited_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    confirmed_at    timestamptz,
    CONSTRAINT recruitments_one_per_organization UNIQUE (organization_id, seeker_id)
);
CREATE INDEX recruitments_seeker ON recruitments (seeker_id) WHERE status = 'confirmed';

-- A network member refers a partner to another network organisation. Names are kept so the record outlives them.
CREATE TABLE referrals (
    id                     uuid PRIMARY KEY,
    seeker_id              uuid NOT NULL REFERENCES seeker_profiles (user_id) ON DELETE CASCADE,
    from_organization_id   uuid REFERENCES organizations (id) ON DELETE SET NULL,
    from_organization_name text NOT NULL,
    to_organization_id     uuid REFERENCES organizations (id) ON DELETE SET NULL,
    to_organization_name   text NOT NULL,
    referred_by            uuid REFERENCES users (id) ON DELETE SET NULL,
    note                   text NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referrals_seeker ON referrals (seeker_id, created_at DESC);

-- Seekers who asked for no further referrals.
CREATE TABLE referral_opt_outs (
    seeker_id     uuid PRIMARY KEY REFERENCES seeker_profiles (user_id) ON DELETE CASCADE,
    opted_out_at  timestamptz NOT NULL DEFAULT now()
);
