"""On PostgreSQL the register's history refuses edits: a version may only have its
``superseded_at`` set, once; movements and their subjects are never changed or deleted."""

from django.db import migrations

from jichi.common.migrations import postgres_sql

CREATE = """
CREATE OR REPLACE FUNCTION jichi_version_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the register history is append-only: DELETE refused'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.superseded_at IS NOT NULL OR NEW.superseded_at IS NULL
       OR (to_jsonb(NEW) - 'superseded_at') <> (to_jsonb(OLD) - 'superseded_at') THEN
        RAISE EXCEPTION 'the register history is append-only: only superseded_at may be set, once'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS personversion_append_only ON registry_personversion;
CREATE TRIGGER personversion_append_only BEFORE UPDATE OR DELETE ON registry_personversion
    FOR EACH ROW EXECUTE FUNCTION jichi_version_append_only();

CREATE OR REPLACE FUNCTION jichi_row_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the register history is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS movement_immutable ON registry_movement;
CREATE TRIGGER movement_immutable BEFORE UPDATE OR DELETE ON registry_movement
    FOR EACH ROW EXECUTE FUNCTION jichi_row_immutable();
DROP TRIGGER IF EXISTS movementsubject_immutable ON registry_movementsubject;
CREATE TRIGGER movementsubject_immutable BEFORE UPDATE OR DELETE ON registry_movementsubject
    FOR EACH ROW EXECUTE FUNCTION jichi_row_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS personversion_append_only ON registry_personversion;
DROP TRIGGER IF EXISTS movement_immutable ON registry_movement;
DROP TRIGGER IF EXISTS movementsubject_immutable ON registry_movementsubject;
DROP FUNCTION IF EXISTS jichi_version_append_only();
DROP FUNCTION IF EXISTS jichi_row_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_offender_reading")]
    operations = [postgres_sql(CREATE, DROP)]
