-- Scale-out on Citus, the shards' triggers (issue 19): isms.distribute_table
-- switched all of a table's triggers off for Citus's copy of its rows and on
-- again, but Citus carries ALTER TABLE ... ENABLE TRIGGER to the shards'
-- copies of row triggers only: the statement triggers stayed disabled on
-- every shard (lifecycle_changed, register_changed, the TRUNCATE guards of
-- the reference tables), so a committed lifecycle or register change never
-- reached the rules of an open session on a worker.  Only the row triggers
-- (the rules that would refuse the copied rows as new writes) are switched
-- off now; the statement triggers only drop caches or guard TRUNCATE, which
-- the copy does not run.
CREATE OR REPLACE FUNCTION isms.distribute_table(t regclass, colocate regclass, shard_count integer) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    triggers name[];
    tg name;
BEGIN
    SELECT array_agg(tgname) INTO triggers FROM pg_trigger
     WHERE tgrelid OPERATOR(pg_catalog.=) t AND NOT tgisinternal AND tgenabled OPERATOR(pg_catalog.=) 'O'
       AND (tgtype::integer OPERATOR(pg_catalog.&) 1) OPERATOR(pg_catalog.=) 1;   -- TRIGGER_TYPE_ROW
    FOREACH tg IN ARRAY coalesce(triggers, '{}') LOOP
        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', t, tg);
    END LOOP;
    IF colocate IS NULL AND shard_count IS NULL THEN
        PERFORM create_reference_table(t);
    ELSIF colocate IS NULL THEN
        PERFORM create_distributed_table(t, 'org_id', shard_count => shard_count);
    ELSE
        PERFORM create_distributed_table(t, 'org_id', colocate_with => colocate::text);
    END IF;
    FOREACH tg IN ARRAY coalesce(triggers, '{}') LOOP
        EXECUTE format('ALTER TABLE %s ENABLE TRIGGER %I', t, tg);
    END LOOP;
END
$fn$;
REVOKE ALL ON FUNCTION isms.distribute_table(regclass, regclass, integer) FROM PUBLIC;
