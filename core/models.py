"""The infrastructure's own tables: change counters, the database cache and the email outbox."""

import ipaddress
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChangeGeneration(models.Model):
    """A counter per kind of change, read in one query by every process that caches bodies.

    Caches key what they build by these numbers, so a change made by any process (another
    gunicorn worker, another server, a management command) is seen at the next request,
    whatever cache backend each process has.
    """

    key = models.CharField(_("key"), max_length=40, primary_key=True)
    value = models.BigIntegerField(_("value"), default=0)
    # When it last moved: a feed's Last-Modified (events/calendar_cache.py).
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("change generation")
        verbose_name_plural = _("change generations")

    def __str__(self):
        return f"{self.key}={self.value}"


class CacheEntry(models.Model):
    """The table Django's database cache uses in production when REDIS_URL is not set.

    Declared as a model so that `migrate` creates it; Django's DatabaseCache reads and
    writes it with its own SQL (the columns are the ones `createcachetable` would make).
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "potluck_cache"
        verbose_name = _("cache entry")
        verbose_name_plural = _("cache entries")

    def __str__(self):
        return self.cache_key


class EmailState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


def site_host() -> str:
    """The host of POTLUCK_SITE_URL for identifiers in emails; "localhost" for an address."""
    host = (urlsplit(settings.SITE_URL).hostname or "").rstrip(".")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host.encode("idna").decode("ascii") if host else "localhost"
    return "localhost"


def new_message_id() -> str:
    """A Message-ID of the row's own, fixed when the email is queued: a copy sent twice (a
    worker killed between the server's acceptance and the row's update) carries the same one."""
    return f"<{uuid.uuid4().hex}@{site_host()}>"


class Email(models.Model):
    """One email to one address: queued in the transaction that causes it, claimed and sent by
    a worker (core/emails/outbox.py), then kept as the log of what the site sent.

    Either `params` say what renders it (the kind's context builder reads them when it is
    sent, in the recipient's language), or `subject`, `text`, `html` and `headers` hold a
    message rendered by someone else (allauth, the contact form), blanked once it is sent.
    """

    kind = models.CharField(_("kind"), max_length=40)
    # No database constraint, as the email log never had one: the check would take a lock on
    # the member's row in every transaction that queues an email to them (and rows are locked
    # elsewhere: digests lock the member, RSVPs the event). Django still sets it to NULL when
    # the member goes.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    address = models.EmailField(_("address"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    rendered = models.BooleanField(_("rendered when queued"), default=False)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    message_id = models.CharField(
        _("Message-ID"), max_length=255, unique=True, default=new_message_id
    )
    state = models.CharField(
        _("state"), max_length=10, choices=EmailState.choices, default=EmailState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("error"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    claimed_by = models.CharField(_("worker"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # What a worker may claim: queued and due, or claimed by a worker whose lease ran out.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="queued"),
                name="core_email_queued_idx",
            ),
            models.Index(
                fields=["lease_expires_at"],
                condition=models.Q(state="sending"),
                name="core_email_sending_idx",
            ),
            models.Index(fields=["kind", "created_at"], name="core_email_kind_idx"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.address or _('a former member')}"
