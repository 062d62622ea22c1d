DROP TABLE alert_digest_runs;
DROP TABLE outbox_cursors;
DROP TABLE alert_matches;
DROP TABLE alerts;
