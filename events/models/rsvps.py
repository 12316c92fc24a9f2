"""RSVPs, the waitlist and attendance."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintFieldsMixin
from core.db import subquery_count

from .program import Breakout
from .states import LATE_CANCELLATION, EventStatus, RSVPStatus


def attendance_filters() -> dict[str, Q]:
    """What a member's attendance history counts, over published events (a cancelled event
    is nobody's absence): RSVPed (said going at some point: going, waitlisted, or a
    cancellation on record), attended (checked in), no-shows (marked by a host) and late
    cancellations (the member's own, within LATE_CANCELLATION of the start)."""
    published = Q(event__status=EventStatus.PUBLISHED)
    return {
        "rsvped": published
        & (Q(status__in=[RSVPStatus.GOING, RSVPStatus.WAITLISTED]) | Q(cancelled_at__isnull=False)),
        "attended": published & Q(checked_in_at__isnull=False),
        "no_shows": published & Q(no_show=True),
        "late_cancellations": published
        & Q(
            status=RSVPStatus.NOT_GOING,
            cancelled_at__gte=models.F("event__starts_at") - LATE_CANCELLATION,
        ),
    }


def attendance_annotations(member_field: str = "user") -> dict:
    """attendance_filters as one subquery count each, to .annotate() a queryset of rows that
    point at a member (Membership: member_field="user"; users: "pk"); computed only for the
    rows fetched, so a paginated changelist stays flat."""
    return {
        f"attendance_{name}": subquery_count(
            RSVP.objects.filter(q, member=models.OuterRef(member_field)), "member"
        )
        for name, q in attendance_filters().items()
    }


def member_attendance() -> dict:
    """Each membership's attendance counts, for the membership admin's list
    (groups.hooks.membership_annotations)."""
    return attendance_annotations("user")


class RSVPQuerySet(models.QuerySet):
    def going(self):
        return self.filter(status=RSVPStatus.GOING)

    def waitlisted(self):
        """In line for a seat, first come first served."""
        return self.filter(status=RSVPStatus.WAITLISTED).order_by("waitlist_seq")

    def stats(self) -> dict:
        """Going (members and seats), waitlisted and checked in, in one query."""
        going = Q(status=RSVPStatus.GOING)
        return self.aggregate(
            going=models.Count("pk", filter=going),
            seats_taken=Coalesce(models.Sum(models.F("guests") + 1, filter=going), 0),
            waitlisted=models.Count("pk", filter=Q(status=RSVPStatus.WAITLISTED)),
            checked_in=models.Count("pk", filter=going & Q(checked_in_at__isnull=False)),
        )

    def attendance_counts(self) -> dict:
        """Events RSVPed, attended, no-shows and late cancellations, in one query (see
        attendance_filters for what each counts)."""
        return self.aggregate(
            **{name: models.Count("pk", filter=q) for name, q in attendance_filters().items()}
        )

    def attendance_for(self, member) -> dict:
        """One member's attendance history (attendance_counts), for organizers and the
        member's own export."""
        return self.filter(member=member).attendance_counts()

    def attendance_by_member(self, members) -> dict[int, dict]:
        """attendance_counts per member id (members: users or ids), in one query; a member
        without RSVPs gets zeros."""
        ids = [getattr(m, "pk", m) for m in members]
        zero = dict.fromkeys(attendance_filters(), 0)
        counts = {pk: dict(zero) for pk in ids}
        rows = (
            self.filter(member_id__in=ids)
            .order_by()
            .values("member_id")
            .annotate(
                **{name: models.Count("pk", filter=q) for name, q in attendance_filters().items()}
            )
        )
        for row in rows:
            counts[row.pop("member_id")] = row
        return counts

    def with_waitlist_position(self):
        """Annotates each waitlisted RSVP with its place in its event's line (1 = next)."""
        ahead = RSVP.objects.filter(
            event=models.OuterRef("event"),
            status=RSVPStatus.WAITLISTED,
            waitlist_seq__lte=models.OuterRef("waitlist_seq"),
        )
        return self.annotate(
            waitlist_position=models.Case(
                models.When(status=RSVPStatus.WAITLISTED, then=subquery_count(ahead, "event")),
                default=None,
                output_field=models.IntegerField(),
            )
        )


class RSVP(ConstraintFieldsMixin, models.Model):
    """A member's answer to an event: going (with guests), waitlisted or not going."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="rsvps")
    # Empty once the member has deleted their account: past attendance stays, anonymously.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="rsvps",
    )
    status = models.CharField(_("status"), max_length=20, choices=RSVPStatus.choices)
    guests = models.PositiveSmallIntegerField(_("guests"), default=0)
    answer = models.TextField(_("answer"), blank=True, max_length=1000)
    waitlisted_at = models.DateTimeField(_("joined the waitlist"), null=True, blank=True)
    waitlist_seq = models.PositiveBigIntegerField(
        _("place in line"), null=True, blank=True, editable=False
    )
    breakout = models.ForeignKey(
        Breakout,
        verbose_name=_("breakout discussion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rsvps",
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    # Marked by a host after the start: going, never checked in.
    no_show = models.BooleanField(_("no-show"), default=False)
    # When the member last cancelled a "going" or a waitlist place themselves; cleared when
    # they answer going again (a host's move is not the member's cancellation).
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # When this no-show was counted in a gentle note (services.no_show_notes_send).
    no_show_noted_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RSVPQuerySet.as_manager()

    constraint_fields = {
        "breakout_not_going": "breakout",
        "checked_in_not_going": "checked_in_at",
        "no_show_not_going": "no_show",
    }
    # Kept by the seat-counting services, read-only in the admin.
    always_validated = ("event", "member", "status", "guests", "waitlist_seq")

    class Meta:
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=Q(member__isnull=False),
                name="events_rsvp_one_per_member",
            ),
            models.CheckConstraint(
                condition=Q(status=RSVPStatus.WAITLISTED, waitlist_seq__isnull=False)
                | (~Q(status=RSVPStatus.WAITLISTED) & Q(waitlist_seq__isnull=True)),
                name="events_rsvp_waitlist_place_iff_waitlisted",
            ),
            models.CheckConstraint(
                condition=Q(status=RSVPStatus.GOING) | Q(breakout__isnull=True),
                name="events_rsvp_breakout_only_when_going",
                violation_error_message=_("Only someone who is going can have a breakout."),
                violation_error_code="breakout_not_going",
            ),
            models.CheckConstraint(
                condition=~Q(status=RSVPStatus.NOT_GOING) | Q(guests=0),
                name="events_rsvp_no_guests_when_not_going",
            ),
            models.CheckConstraint(
                condition=Q(status=RSVPStatus.GOING) | Q(checked_in_at__isnull=True),
                name="events_rsvp_checked_in_only_when_going",
                violation_error_message=_("Only someone who is going can be checked in."),
                violation_error_code="checked_in_not_going",
            ),
            models.CheckConstraint(
                condition=Q(no_show=False) | Q(status=RSVPStatus.GOING, checked_in_at__isnull=True),
                name="events_rsvp_no_show_only_when_going_not_checked_in",
                violation_error_message=_(
                    "Only someone who is going and not checked in can be a no-show."
                ),
                violation_error_code="no_show_not_going",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "waitlist_seq"], name="events_rsvp_event_idx"),
        ]

    def __str__(self):
        who = self.member or _("a former member")
        return f"{who} · {self.event} · {self.get_status_display()}"

    @property
    def party_size(self) -> int:
        return 1 + self.guests

    @property
    def is_going(self) -> bool:
        return self.status == RSVPStatus.GOING

    @property
    def is_waitlisted(self) -> bool:
        return self.status == RSVPStatus.WAITLISTED
