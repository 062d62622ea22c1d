-- Digests move one position per alert instead of marking every match they send: each match gets a number from one
-- sequence, and a digest sends an alert's matches numbered after its position, then moves the position, in the
-- transaction that queues the mail. Instant alerts still mark their matches `sent` as the matcher mails them.

ALTER TABLE alert_matches ADD COLUMN seq bigint;
-- Matches already there are numbered sent first, then pending, so that one position says which of them went out.
UPDATE alert_matches m SET seq = n.seq
FROM (SELECT alert_id, job_id,
             row_number() OVER (ORDER BY status = 'pending', matched_at, alert_id, job_id) AS seq
      FROM alert_matches) n
WHERE m.alert_id = n.alert_id AND m.job_id = n.job_id;
ALTER TABLE alert_matches ALTER COLUMN seq SET NOT NULL;
-- Inserts never name it: the sequence numbers matches in the order their inserts run.
ALTER TABLE alert_matches ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY;
SELECT setval(pg_get_serial_sequence('alert_matches', 'seq'), greatest(max(seq), 1), max(seq) IS NOT NULL)
FROM alert_matches;

-- The last match number a digest of the alert has dealt with (listed, linked to, or dropped as no longer visible).
ALTER TABLE alerts ADD COLUMN digest_position bigint NOT NULL DEFAULT 0;
UPDATE alerts SET digest_position = (SELECT count(*) FROM alert_matches WHERE status = 'sent');

-- What a digest reads (an alert's matches after its position) and what `GET /me/alerts/{id}/jobs` pages through;
-- digest matches stay `pending`, so the partial index on them would be an index of nearly every row.
DROP INDEX alert_matches_pending;
CREATE INDEX alert_matches_alert_seq ON alert_matches (alert_id, seq);
