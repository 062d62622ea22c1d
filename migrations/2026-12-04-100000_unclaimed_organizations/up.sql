-- Organisations made from imported ads: unclaimed until a real employer claims one and an operator approves.
-- Imported employers are found again by organisation number (normalised) or, without one, by normalised name.

-- Every organisation so far was registered by its own employer.
ALTER TABLE organizations ADD COLUMN claimed boolean NOT NULL DEFAULT true;
-- The organisation number as a key: see normalized_org_number.
ALTER TABLE organizations ADD COLUMN org_number_key text;
-- The normalised name an import found the employer by (lower case, punctuation and legal form gone); set by
-- imports only, so ads never attach by name to an organisation its employer registered.
ALTER TABLE organizations ADD COLUMN name_key text;

-- "556000-1234", "556000 1234", "5560001234", the 12-digit form "16556000-1234" and the VAT number
-- "SE556000123401" are one Swedish organisation number; other countries' numbers keep their letters.
CREATE FUNCTION normalized_org_number(org_number text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN k ~ '^16[0-9]{10}$' THEN substr(k, 3)
        WHEN k ~ '^SE[0-9]{10}01$' THEN substr(k, 3, 10)
        ELSE nullif(k, '')
    END
    FROM (SELECT upper(regexp_replace(org_number, '[^0-9A-Za-z]', '', 'g')) AS k) n
$$;

-- The key follows the number through every way a row is written (API, seeds' COPY, imports). Only a changed number
-- gets a new key, so an old duplicate left without one (below) can still be edited otherwise.
CREATE FUNCTION organizations_key_org_number() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.org_number IS DISTINCT FROM OLD.org_number THEN
        NEW.org_number_key := normalized_org_number(NEW.org_number);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER organizations_key_org_number BEFORE INSERT OR UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION organizations_key_org_number();

-- A live database may hold one number written two ways ("556000-1234" and "5560001234") on two organisations: the
-- oldest keeps the key, the others keep their number as written but no key, so this migration never fails on them
-- and an operator can merge them later.
UPDATE organizations o SET org_number_key = k.key
FROM (SELECT id, normalized_org_number(org_number) AS key,
             row_number() OVER (PARTITION BY normalized_org_number(org_number) ORDER BY created_at, id) AS n
      FROM organizations WHERE org_number IS NOT NULL) k
WHERE o.id = k.id AND k.n = 1 AND k.key IS NOT NULL;

-- The same name as before, so a clash still answers `org-number-taken`; the key is stricter than the text was.
ALTER TABLE organizations DROP CONSTRAINT organizations_org_number_key;
CREATE UNIQUE INDEX organizations_org_number_key ON organizations (org_number_key);
-- One organisation per name among those an import made without a number (the arbiter of concurrent imports).
CREATE UNIQUE INDEX organizations_numberless_name_key ON organizations (name_key) WHERE org_number_key IS NULL;
-- Finding an imported employer by name whether it has a number or not.
CREATE INDEX organizations_name_key ON organizations (name_key) WHERE name_key IS NOT NULL;

-- An employer's request to take over an unclaimed organisation; an operator approves or declines it.
CREATE TABLE organization_claims (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    requested_by    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'declined')),
    decided_at      timestamptz,
    decided_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE UNIQUE INDEX organization_claims_one_pending ON organization_claims (organization_id, requested_by)
    WHERE status = 'pending';
-- Operators work through pending claims oldest first; a claimant's pending claims are counted against a cap.
CREATE INDEX organization_claims_pending ON organization_claims (requested_at, id) WHERE status = 'pending';
CREATE INDEX organization_claims_claimant ON organization_claims (requested_by) WHERE status = 'pending';
