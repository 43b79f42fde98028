-- isms27022 upgrade script from 0.1.0 to 0.2.0.
-- Built by the Makefile from the pieces in sql/update/0.1.0--0.2.0/, concatenated
-- in name order.  A fresh CREATE EXTENSION runs the frozen 0.1.0 install script
-- and then this one, so an upgraded database and a fresh one share every line.

\echo Use "ALTER EXTENSION isms27022 UPDATE TO '0.2.0'" to load this file. \quit
