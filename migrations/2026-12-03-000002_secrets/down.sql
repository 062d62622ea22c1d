DROP INDEX partner_invitations_pending;
ALTER TABLE partner_invitations DROP COLUMN revoked_at;
DROP TABLE root_secret;
