-- Fixed-window counters for throttles (failed logins, registrations, invitations, referrals), shared by every API
-- node. One row per key; a request takes a slot with one INSERT … ON CONFLICT, so concurrent requests cannot
-- overshoot a limit.
CREATE TABLE throttles (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    hits         integer NOT NULL
);
CREATE INDEX throttles_window_start ON throttles (window_start);
