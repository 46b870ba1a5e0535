"""SQLite's built-in SQL functions, written for PostgreSQL (`FUNCTIONS`).

The store's SQL calls functions SQLite has built in and PostgreSQL lacks
(``json_each``, ``json_extract``, ``json_set``, the ``->>`` and ``->``
operators on JSON kept as text, ``date(day, '+n days')``, two-argument
``min``/``max``, ``total``...), and the triggers of the PostgreSQL schema
call claimflow's own (``claimflow_append_only``, ``claimflow_references``,
``claimflow_referenced``). `FUNCTIONS` is the script that creates them all in
the store's schema, with SQLite's meaning; `claimflow.store.pg_schema` runs
it when a store lacks this release's version of it.
"""

from __future__ import annotations

#: SQLite's built-in functions that the store's SQL uses, with SQLite's
#: meaning, for JSON kept as text. Created in the store's schema.
FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION claimflow_path(p text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p = '$' THEN ARRAY[]::text[] ELSE string_to_array(
    regexp_replace(regexp_replace(substr(p, 2), '\[(\d+)\]', '.\1', 'g'), '^\.', ''),
    '.') END
$$;
CREATE OR REPLACE FUNCTION claimflow_scalar(e json) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE json_typeof(e) WHEN 'string' THEN e #>> '{}' WHEN 'null' THEN NULL
         WHEN 'boolean' THEN CASE WHEN e::text = 'true' THEN '1' ELSE '0' END
         ELSE e::text END
$$;
CREATE OR REPLACE FUNCTION json_extract(t text, p text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT claimflow_scalar(t::json #> claimflow_path(p)) $$;
CREATE OR REPLACE FUNCTION json_extract(t text, p1 text, p2 text, VARIADIC ps text[])
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT json_agg(t::json #> claimflow_path(p) ORDER BY n)::text
  FROM unnest(ARRAY[p1, p2] || ps) WITH ORDINALITY AS x(p, n)
$$;
CREATE OR REPLACE FUNCTION json_each(t text) RETURNS TABLE(key bigint, value text, type text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT n - 1, claimflow_scalar(e), json_typeof(e)
  FROM json_array_elements(CASE WHEN json_typeof(t::json) = 'array' THEN t::json
                                ELSE '[]'::json END) WITH ORDINALITY AS a(e, n)
  UNION ALL
  -- an object's members (their names are not kept: no claimflow statement
  -- walks an object), and a lone value as one row, as SQLite gives them
  SELECT NULL, claimflow_scalar(m.value), json_typeof(m.value)
  FROM json_each(CASE WHEN json_typeof(t::json) = 'object' THEN t::json
                      ELSE '{}'::json END) AS m
  UNION ALL
  SELECT NULL, claimflow_scalar(t::json), json_typeof(t::json)
  WHERE json_typeof(t::json) NOT IN ('array', 'object')
$$;
CREATE OR REPLACE FUNCTION json_each(t text, p text)
RETURNS TABLE(key bigint, value text, type text) LANGUAGE sql IMMUTABLE AS $$
  SELECT * FROM json_each((t::json #> claimflow_path(p))::text) $$;
CREATE OR REPLACE FUNCTION claimflow_get(t text, k text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN left(k, 1) = '$' THEN claimflow_scalar(t::json #> claimflow_path(k))
              WHEN json_typeof(t::json) = 'object' THEN claimflow_scalar(t::json -> k) END
$$;
CREATE OR REPLACE FUNCTION claimflow_get(t text, k integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN json_typeof(t::json) = 'array' THEN claimflow_scalar(t::json -> k) END
$$;
DO $$ BEGIN  -- once: a view depends on them (their functions are replaced above)
  IF NOT EXISTS (SELECT 1 FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
                 WHERE n.nspname = current_schema() AND o.oprname = '->>'
                   AND o.oprright = 'integer'::regtype) THEN
    CREATE OPERATOR ->> (LEFTARG = text, RIGHTARG = text, FUNCTION = claimflow_get);
    CREATE OPERATOR ->> (LEFTARG = text, RIGHTARG = integer, FUNCTION = claimflow_get);
  END IF;
END $$;
CREATE OR REPLACE FUNCTION json_set(t text, VARIADIC kv text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE j jsonb := t::jsonb;
BEGIN
  FOR i IN 1 .. coalesce(array_length(kv, 1), 0) BY 2 LOOP
    j := jsonb_set(j, claimflow_path(kv[i]), coalesce(to_jsonb(kv[i + 1]), 'null'::jsonb), true);
  END LOOP;
  RETURN j::text;
END $$;
CREATE OR REPLACE FUNCTION json_type(t text, p text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE json_typeof(t::json #> claimflow_path(p))
    WHEN 'string' THEN 'text' WHEN 'boolean' THEN (t::json #>> claimflow_path(p))
    WHEN 'number' THEN CASE WHEN (t::json #>> claimflow_path(p)) ~ '^-?[0-9]+$'
                            THEN 'integer' ELSE 'real' END
    ELSE json_typeof(t::json #> claimflow_path(p)) END
$$;
CREATE OR REPLACE FUNCTION json_array_length(t text, p text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN json_typeof(t::json #> claimflow_path(p)) = 'array'
              THEN json_array_length(t::json #> claimflow_path(p)) ELSE 0 END
$$;
CREATE OR REPLACE FUNCTION claimflow_json_at(t text, k text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN left(k, 1) = '$' THEN (t::json #> claimflow_path(k))::text
              WHEN json_typeof(t::json) = 'object' THEN (t::json -> k)::text END
$$;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
                 WHERE n.nspname = current_schema() AND o.oprname = '->'
                   AND o.oprleft = 'text'::regtype) THEN
    CREATE OPERATOR -> (LEFTARG = text, RIGHTARG = text, FUNCTION = claimflow_json_at);
  END IF;
END $$;
CREATE OR REPLACE FUNCTION claimflow_claim_json(
  d text, id text, client text, kind text, participant text, received text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT '{"id":' || to_json(id)::text || ',"client":' || to_json(client)::text
      || ',"kind":' || to_json(kind)::text
      || ',"participant_id":' || coalesce(to_json(participant)::text, 'null')
      || ',"received_at":' || to_json(received)::text
      || CASE WHEN btrim(d) = '{}' THEN '}' ELSE ',' || substr(btrim(d), 2) END
$$;
CREATE OR REPLACE FUNCTION date(d text, m text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN to_char((d::timestamptz AT TIME ZONE 'UTC') + m::interval, 'YYYY-MM-DD');
EXCEPTION WHEN others THEN RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION round(x float8, n integer) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$ SELECT round(x::numeric, n)::float8 $$;
CREATE OR REPLACE FUNCTION unixepoch(d text) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN floor(extract(epoch FROM d::timestamptz))::bigint;
EXCEPTION WHEN others THEN RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION date(d text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN to_char(d::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD');
EXCEPTION WHEN others THEN RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION min(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE least(a, b) END $$;
CREATE OR REPLACE FUNCTION max(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE greatest(a, b) END $$;
CREATE OR REPLACE FUNCTION ifnull(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(a, b) $$;
CREATE OR REPLACE FUNCTION instr(a text, b text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT strpos(a, b) $$;
DO $$ BEGIN
  IF to_regprocedure(current_schema() || '.total(float8)') IS NULL THEN
    CREATE AGGREGATE total(float8) (SFUNC = float8pl, STYPE = float8, INITCOND = '0');
  END IF;
END $$;
CREATE OR REPLACE FUNCTION claimflow_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: add a correcting entry', TG_TABLE_NAME
    USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE OR REPLACE FUNCTION claimflow_references() RETURNS trigger
LANGUAGE plpgsql
-- one index probe per new row, never a scan of the table referred to (the
-- claims, a million rows, for each chunk's 10,000 outcomes)
SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE missing text;
BEGIN
  -- TG_ARGV: the column, the table it refers to, that table's key
  IF TG_LEVEL = 'ROW' THEN  -- an update that changes the column
    EXECUTE format('SELECT ($1).%1$I::text WHERE NOT EXISTS '
                   '(SELECT 1 FROM %4$I.%2$I p WHERE p.%3$I = ($1).%1$I)',
                   TG_ARGV[0], TG_ARGV[1], TG_ARGV[2], TG_TABLE_SCHEMA)
      USING NEW INTO missing;
  ELSE EXECUTE format(
    'SELECT n.%1$I::text FROM claimflow_new n WHERE n.%1$I IS NOT NULL AND NOT EXISTS '
    '(SELECT 1 FROM %4$I.%2$I p WHERE p.%3$I = n.%1$I) LIMIT 1',
    TG_ARGV[0], TG_ARGV[1], TG_ARGV[2], TG_TABLE_SCHEMA) INTO missing;
  END IF;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'insert or update on table "%" violates foreign key: %=% is not in "%"',
      TG_TABLE_NAME, TG_ARGV[0], missing, TG_ARGV[1]
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION claimflow_referenced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE i integer := 0; found boolean;
BEGIN
  -- TG_ARGV: this table's key, then pairs (table, column) that refer to it
  WHILE i + 2 < array_length(TG_ARGV, 1) + 1 LOOP
    -- waits for writers of the referring table, so none adds a row that
    -- refers to this one after the look below (the check a foreign key's
    -- row lock makes)
    EXECUTE format('LOCK TABLE %I.%I IN SHARE MODE', TG_TABLE_SCHEMA, TG_ARGV[i + 1]);
    IF TG_OP = 'TRUNCATE' THEN
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', TG_TABLE_SCHEMA, TG_ARGV[i + 1])
        INTO found;
    ELSE
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I WHERE %I = ($1).%I)',
                     TG_TABLE_SCHEMA, TG_ARGV[i + 1], TG_ARGV[i + 2], TG_ARGV[0])
        USING OLD INTO found;
    END IF;
    IF found THEN
      RAISE EXCEPTION 'update or delete on table "%" violates foreign key: "%" refers to it',
        TG_TABLE_NAME, TG_ARGV[i + 1] USING ERRCODE = 'foreign_key_violation';
    END IF;
    i := i + 2;
  END LOOP;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;  -- NULL for a statement's trigger (TRUNCATE)
END $$;
"""
