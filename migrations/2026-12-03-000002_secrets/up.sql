-- The root secret a deployment generates when JWT_SECRET is not set: one row, written by the first node to start
-- (INSERT ... ON CONFLICT DO NOTHING, then SELECT), so every node and every restart derives the same keys.
CREATE TABLE root_secret (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    secret     bytea NOT NULL CHECK (length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A partner invitation its sender withdrew: its link answers 410, as a used one does.
ALTER TABLE partner_invitations ADD COLUMN revoked_at timestamptz;
CREATE INDEX partner_invitations_pending ON partner_invitations (inviter_id)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
