-- 085_backup: a dump carries the position of every sequence of the engine.
--
-- pg_dump writes an extension's data only for what pg_extension_config_dump
-- marked.  0.1.0 marked isms.assessment_rating but not its identity
-- sequence, so a restored database handed out rating_id 1 again and the
-- next assessor rating failed with 23505 (found by
-- test/scripts/backup_role.sh).

SELECT pg_catalog.pg_extension_config_dump(
    pg_catalog.pg_get_serial_sequence('isms.assessment_rating', 'rating_id')::pg_catalog.regclass, '');
