DROP INDEX mail_outbox_unsent;
