-- Every API node keeps the skills taxonomy in memory (searches resolve skill names without a round trip) and
-- LISTENs on `taxonomy_changed` to reload it. A statement-level trigger notifies once per statement, and
-- PostgreSQL delivers a transaction's notifications (folded into one) only when it commits, whoever changes the
-- taxonomy: the first-start load, an operator, a future import.
CREATE FUNCTION notify_taxonomy_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('taxonomy_changed', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER skills_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON skills
    FOR EACH STATEMENT EXECUTE FUNCTION notify_taxonomy_changed();
CREATE TRIGGER skill_labels_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON skill_labels
    FOR EACH STATEMENT EXECUTE FUNCTION notify_taxonomy_changed();
