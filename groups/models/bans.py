"""Bans, kept by a keyed hash of the address so they outlive a deleted account."""

from django.conf import settings
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .groups import Group


def ban_email_normalized(email: str) -> str:
    """The address a ban is about: lowercased, without a "+tag" in its local part, so that
    name+anything@example.org is the same person as name@example.org."""
    normalized = (email or "").strip().lower()
    local, at, domain = normalized.rpartition("@")
    if at and "+" in local:
        local = local.split("+", 1)[0]
        normalized = f"{local}@{domain}"
    return normalized


def _ban_hmac(value: str) -> str:
    secret = settings.POTLUCK_BAN_PEPPER or settings.SECRET_KEY
    return salted_hmac("potluck.groups.ban", value, secret=secret, algorithm="sha256").hexdigest()


def ban_email_hash(email: str) -> str:
    """A keyed SHA-256 of the address, lowercased and without its +tag: a ban outlives the
    account without the address itself. The key is POTLUCK_BAN_PEPPER (or SECRET_KEY):
    changing it lifts the bans of deleted accounts."""
    return _ban_hmac(ban_email_normalized(email))


def ban_email_hashes(email: str) -> set[str]:
    """Every hash a ban on this address may be stored under: the one written today, and the
    one written before +tags were stripped (the address only lowercased), for bans of deleted
    accounts made then, whose address is gone and cannot be hashed again."""
    if not email:
        return set()
    return {ban_email_hash(email), _ban_hmac(email.strip().lower())}


class BanQuerySet(models.QuerySet):
    def matching(self, *, group, user=None, emails=()):
        """Bans of this group on this account or on any of these addresses (any +tag)."""
        hashes = set()
        for email in emails:
            hashes |= ban_email_hashes(email)
        condition = models.Q(email_hash__in=sorted(hashes))
        if user is not None and user.pk is not None:
            condition |= models.Q(user=user) | models.Q(
                email_hash__in=sorted(ban_email_hashes(user.email))
            )
        return self.filter(condition, group=group)


class Ban(models.Model):
    """Someone the group banned: no membership, RSVP, upload or members-only page again.

    Kept by a keyed hash of the email address, so it holds for a new account with the same
    address after the account is deleted (when `user` becomes empty).
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="bans")
    email_hash = models.CharField(_("email hash"), max_length=64, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bans",
        verbose_name=_("person"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("banned by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("banned"), auto_now_add=True)

    objects = BanQuerySet.as_manager()

    class Meta:
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "email_hash"], name="groups_ban_unique_email"),
        ]

    def __str__(self):
        return str(self.user) if self.user else str(_("a former member"))
