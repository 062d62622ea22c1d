DROP INDEX alert_matches_alert_seq;
CREATE INDEX alert_matches_pending ON alert_matches (alert_id) WHERE status = 'pending';
-- What a digest dealt with is sent again in the old scheme's terms.
UPDATE alert_matches m SET status = 'sent', sent_at = coalesce(m.sent_at, now())
FROM alerts a
WHERE a.id = m.alert_id AND m.status = 'pending' AND m.seq <= a.digest_position;
ALTER TABLE alerts DROP COLUMN digest_position;
ALTER TABLE alert_matches DROP COLUMN seq;
