DROP TABLE mail_bounces;
DROP TABLE mail_outbox;
