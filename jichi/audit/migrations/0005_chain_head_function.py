"""``jichi_audit_head(lock_class, code)``: the chain's lock and head in one round trip
(``jichi.common.sequences``)."""

from django.db import migrations

from jichi.common.migrations import postgres_sql
from jichi.common.sequences import head_function


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_tenant_key_covers_municipality")]
    operations = [postgres_sql(*head_function("jichi_audit_head", "audit_auditentry", "seq"))]
