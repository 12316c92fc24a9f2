"""The email log becomes core's outbox (core.Email): each logged email is copied there as sent
or failed, with the event it was about in its parameters, and the old table goes."""

import ipaddress
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations

BATCH = 2000


def _host() -> str:
    """As core.models.site_host when this was written: the site's host, "localhost" for an IP."""
    host = (urlsplit(settings.SITE_URL).hostname or "").rstrip(".")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host.encode("idna").decode("ascii") if host else "localhost"
    return "localhost"


def copy_log(apps, schema_editor):
    EmailLog = apps.get_model("events", "EmailLog")
    Email = apps.get_model("core", "Email")
    host = _host()
    rows = []
    for log in EmailLog.objects.order_by("pk").iterator(chunk_size=BATCH):
        sent = log.outcome == "sent"
        rows.append(
            Email(
                kind=log.kind,
                recipient_id=log.recipient_id,
                address=log.address,
                params={"event": log.event_id} if log.event_id else {},
                state="sent" if sent else "failed",
                attempts=1,
                last_error=log.error,
                message_id=f"<{uuid.uuid4().hex}@{host}>",
                created_at=log.sent_at,
                next_attempt_at=log.sent_at,
                sent_at=log.sent_at if sent else None,
            )
        )
        if len(rows) >= BATCH:
            Email.objects.bulk_create(rows)
            rows = []
    Email.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0015_texts_in_spanish"),
        ("core", "0002_email_outbox"),
    ]

    operations = [
        migrations.RunPython(copy_log, migrations.RunPython.noop),
        migrations.DeleteModel(name="EmailLog"),
    ]
