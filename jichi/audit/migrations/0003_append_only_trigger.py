"""On PostgreSQL the audit trail refuses UPDATE and DELETE (and TRUNCATE is left to
the signed checkpoints, because test databases are flushed with it)."""

from django.db import migrations

from jichi.common.migrations import postgres_sql

CREATE = """
CREATE OR REPLACE FUNCTION jichi_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION jichi_audit_append_only();
DROP TRIGGER IF EXISTS audit_checkpoint_append_only ON audit_auditcheckpoint;
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION jichi_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_checkpoint_append_only ON audit_auditcheckpoint;
DROP FUNCTION IF EXISTS jichi_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]
    operations = [postgres_sql(CREATE, DROP)]
