-- /metrics counts the mail outbox by status on every scrape. Sent mail is kept and grows without end; this index
-- holds only the rows still of interest (pending, held, failed), so the count never walks the sent ones.
CREATE INDEX mail_outbox_unsent ON mail_outbox (status) WHERE status <> 'sent';
