-- Partner commute alerts: a partner in the partner pool is mailed about jobs in every sector within commuting
-- distance of the employer that recruited their talent. Such an alert is a row in `alerts` of its own kind, so
-- matching, digests, "never twice", the mail outbox and one-click unsubscribe are the ones every alert has.

-- `search`: a seeker's own saved search or profile match. `partner_commute`: made by the matcher for a pool
-- member, at most one per seeker; it has no query, as its criterion is the distance.
ALTER TABLE alerts ADD COLUMN kind text NOT NULL DEFAULT 'search' CHECK (kind IN ('search', 'partner_commute'));
ALTER TABLE alerts DROP CONSTRAINT alerts_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_check CHECK (query IS NOT NULL OR match_profile OR kind = 'partner_commute');
CREATE UNIQUE INDEX alerts_one_partner_commute ON alerts (seeker_id) WHERE kind = 'partner_commute';

-- Why a partner commute match was made: {employer, city, distance_km, radius_km}; NULL for other alerts.
ALTER TABLE alert_matches ADD COLUMN commute jsonb CHECK (commute IS NULL OR jsonb_typeof(commute) = 'object');

-- Partners who want no commute alerts. Deleting or unsubscribing from the alert puts the seeker here, so the
-- matcher does not make it again.
CREATE TABLE partner_alert_opt_outs (
    seeker_id    uuid PRIMARY KEY REFERENCES seeker_profiles (user_id) ON DELETE CASCADE,
    opted_out_at timestamptz NOT NULL DEFAULT now()
);
