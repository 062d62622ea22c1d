DROP TABLE partner_alert_opt_outs;
ALTER TABLE alert_matches DROP COLUMN commute;
DELETE FROM alerts WHERE kind = 'partner_commute';
DROP INDEX alerts_one_partner_commute;
ALTER TABLE alerts DROP CONSTRAINT alerts_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_check CHECK (query IS NOT NULL OR match_profile);
ALTER TABLE alerts DROP COLUMN kind;
