DROP TABLE organization_claims;
DROP INDEX organizations_name_key;
DROP INDEX organizations_numberless_name_key;
DROP INDEX organizations_org_number_key;
DROP TRIGGER organizations_key_org_number ON organizations;
DROP FUNCTION organizations_key_org_number();
DROP FUNCTION normalized_org_number(text);
ALTER TABLE organizations DROP COLUMN name_key, DROP COLUMN org_number_key, DROP COLUMN claimed;
ALTER TABLE organizations ADD CONSTRAINT organizations_org_number_key UNIQUE (org_number);
