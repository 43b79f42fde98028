-- Tailoring: an organisation's own processes, activities, work products and
-- input/output rules.  The catalog tables are read-only for tenant roles;
-- these SECURITY DEFINER functions write an organisation's rows for its
-- administrators, and isms.tailoring_trigger (C) keeps the PRM read-only and
-- every organisation's tailoring its own.

CREATE FUNCTION isms.tailoring_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'tailoring_trigger';
CREATE FUNCTION isms.require_org_role(org bigint, org_roles text[]) RETURNS void
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'api_require_org_role';
COMMENT ON FUNCTION isms.require_org_role(bigint, text[]) IS
    'Raise 42501 unless the caller has one of these roles in the organization (or is a superuser)';

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['process', 'activity', 'work_product', 'process_input', 'activity_input', 'process_output']
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER tailoring_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.%I '
            'FOR EACH ROW EXECUTE FUNCTION isms.tailoring_trigger()', t);
    END LOOP;
END
$$;

CREATE FUNCTION isms.add_work_product(org bigint, key text, name text, kind isms.work_product_kind,
                                      origin isms.work_product_origin, review_months integer DEFAULT NULL,
                                      retention_months integer DEFAULT 36, description text DEFAULT NULL)
    RETURNS integer
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.require_org_role($1, '{admin}');
    INSERT INTO isms.work_product (org_id, key, name, kind, origin, review_months, retention_months, description)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    RETURNING work_product_id
$$;
COMMENT ON FUNCTION isms.add_work_product(bigint, text, text, isms.work_product_kind, isms.work_product_origin,
                                          integer, integer, text) IS
    'Add a work product of the organization''s own (administrators)';

CREATE FUNCTION isms.add_process(org bigint, code isms.clause, key text, name text,
                                 category isms.process_category, purpose text)
    RETURNS integer
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.require_org_role($1, '{admin}');
    INSERT INTO isms.process (org_id, code, key, name, category, purpose)
    VALUES ($1, $2, $3, $4, $5, $6)
    RETURNING process_id
$$;
COMMENT ON FUNCTION isms.add_process(bigint, isms.clause, text, text, isms.process_category, text) IS
    'Add a process of the organization''s own (administrators); give it activities, inputs and outputs next';

CREATE FUNCTION isms.add_activity(org bigint, process isms.clause, name text, optional boolean DEFAULT false,
                                  description text DEFAULT NULL)
    RETURNS integer
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.require_org_role($1, '{admin}');
    INSERT INTO isms.activity (process_id, org_id, activity_no, name, optional, description)
    SELECT p.pid, $1, coalesce(max(a.activity_no), 0) + 1, $3, $4, $5
      FROM (SELECT isms.process_id($1, $2) AS pid) p
      LEFT JOIN isms.activity a
        ON a.process_id = p.pid AND (a.org_id IS NULL OR a.org_id = $1)
     GROUP BY p.pid
    RETURNING activity_no
$$;
COMMENT ON FUNCTION isms.add_activity(bigint, isms.clause, text, boolean, text) IS
    'Append an activity to a process for the organization (administrators); returns its number';

CREATE FUNCTION isms.add_process_input(org bigint, process isms.clause, work_product text,
                                       requirement isms.input_requirement DEFAULT 'required',
                                       input_group text DEFAULT NULL)
    RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.require_org_role($1, '{admin}');
    INSERT INTO isms.process_input (process_id, work_product_id, org_id, requirement, input_group)
    VALUES (isms.process_id($1, $2), isms.work_product_id($1, $3), $1, $4, $5)
$$;
COMMENT ON FUNCTION isms.add_process_input(bigint, isms.clause, text, isms.input_requirement, text) IS
    'Make a work product an input of a process for the organization (administrators)';

CREATE FUNCTION isms.add_process_output(org bigint, process isms.clause, work_product text,
                                        required boolean DEFAULT true, activity_no integer DEFAULT NULL)
    RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.require_org_role($1, '{admin}');
    INSERT INTO isms.process_output (process_id, work_product_id, org_id, required, activity_no)
    VALUES (isms.process_id($1, $2), isms.work_product_id($1, $3), $1, $4, $5)
$$;
COMMENT ON FUNCTION isms.add_process_output(bigint, isms.clause, text, boolean, integer) IS
    'Make a work product an output of a process for the organization (administrators)';

CREATE FUNCTION isms.add_activity_input(org bigint, process isms.clause, activity_no integer, work_product text)
    RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.require_org_role($1, '{admin}');
    INSERT INTO isms.activity_input (process_id, activity_no, work_product_id, org_id)
    VALUES (isms.process_id($1, $2), $3, isms.work_product_id($1, $4), $1)
$$;
COMMENT ON FUNCTION isms.add_activity_input(bigint, isms.clause, integer, text) IS
    'Require an input to be linked before an activity is done, for the organization (administrators)';
