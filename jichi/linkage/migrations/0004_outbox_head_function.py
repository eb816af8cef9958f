"""``jichi_outbox_head(lock_class, code)``: the event sequence's lock and last number in
one round trip (``jichi.common.sequences``)."""

from django.db import migrations

from jichi.common.migrations import postgres_sql
from jichi.common.sequences import head_function


class Migration(migrations.Migration):
    dependencies = [("linkage", "0003_handover")]
    operations = [postgres_sql(*head_function("jichi_outbox_head", "linkage_outboxevent", "seq"))]
