-- Mail: the outbox the mailer workers deliver from, and the addresses that refused mail for good.

-- One row per email. Features insert it in the same transaction as the change it reports, so the email and the
-- change commit together; workers claim due rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE mail_outbox (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('alert', 'invitation', 'referral', 'notice')),
    -- The enqueuing feature's own id for this email (an alert, an invitation...), if it wants to find it again.
    ref_id          uuid,
    recipient       text NOT NULL,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text NOT NULL,
    -- Extra header fields as a JSON object of name -> value, e.g. List-Unsubscribe.
    headers         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(headers) = 'object'),
    -- pending: to send; sent: accepted by the server; held: the recipient bounces, not sent; failed: given up.
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'held', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- What the workers poll: only pending rows, in the order they fall due.
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status = 'pending';
-- Holding and erasing mail by address.
CREATE INDEX mail_outbox_recipient ON mail_outbox (lower(recipient));
CREATE INDEX mail_outbox_ref ON mail_outbox (kind, ref_id) WHERE ref_id IS NOT NULL;

-- Addresses whose server refused them permanently; mail to them is stored as held instead of sent.
CREATE TABLE mail_bounces (
    address    text PRIMARY KEY CHECK (address = lower(address)),
    reason     text NOT NULL,
    bounced_at timestamptz NOT NULL DEFAULT now()
);
