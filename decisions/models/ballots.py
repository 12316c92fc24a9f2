"""Secret ballots: who may vote (fixed when the poll opens), the roll of who voted and the
ballot box, with nothing linking the two (decisions.secrecy)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .polls import Poll


class Eligible(models.Model):
    """Who may vote in a poll, fixed when it opens (poll_open): members, the people going to
    an event, or members who attended at least k of the last n evenings. Kept by account and
    by a keyed hash of the address, so a new account with the same address is the same
    voter."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="eligible")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    voter_key = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("eligible voter")
        verbose_name_plural = _("eligible voters")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "voter_key"], name="decisions_eligible_once_per_person"
            ),
        ]
        indexes = [models.Index(fields=["member"], name="decisions_eligible_member_idx")]

    def __str__(self):
        return str(_("An eligible voter"))


class VoterRoll(models.Model):
    """Who voted in a poll, on which day: once per person (the keyed hash of their verified
    address), whatever accounts they make. Nothing here says what they chose; nothing in the
    box says who chose it (decisions.secrecy)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="roll")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    voter_key = models.CharField(max_length=64, editable=False)
    voted_on = models.DateField(_("voted on"))

    class Meta:
        verbose_name = _("voter roll entry")
        verbose_name_plural = _("voter roll")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "voter_key"], name="decisions_roll_one_vote_per_person"
            ),
        ]
        indexes = [models.Index(fields=["member"], name="decisions_roll_member_idx")]

    def __str__(self):
        return str(_("A vote"))


class BallotBox(models.Model):
    """One ballot: the options chosen (in order of preference for ranked choice), as option
    keys; for score, dots and dates, [option key, points or answer] pairs in option order
    (decisions.services.choices). A random key, no time, no account: it cannot be tied to a
    roll row. Changed while the poll is open by whoever presents its receipt, whose keyed hash
    is all that is kept. When an account is deleted the ballot stays, so a closed poll's count
    never changes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    choices = models.JSONField(default=list)
    receipt_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "receipt_hash"], name="decisions_ballot_receipt_unique"
            ),
        ]

    def __str__(self):
        return str(_("A ballot"))
