from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from core import adminhome as core_adminhome
        from core.emails.kinds import kinds
        from core.generations import watch
        from core.hooks import expiries
        from core.imagefiles import delete_files_receiver
        from groups import hooks as group_hooks
        from groups.models import Group

        from . import adminhome, emails, services
        from .calendar_cache import GENERATION_KEY, PERSONAL_KEY
        from .generation import next_moments
        from .models import RSVP, Event, Speaker, member_attendance

        # The feeds' counters (events/calendar_cache.py): every feed shows the group (its name
        # and zone) and the events app's rows; personal feeds also show a member's RSVPs and
        # depend on their account (the token).
        watch(Group, GENERATION_KEY)
        for model in self.get_models(include_auto_created=True):
            if model is RSVP:
                watch(RSVP, PERSONAL_KEY)
            else:  # an RSVP's place in the waitlist is counted on the event: no feed shows it
                watch(model, GENERATION_KEY, except_fields={"waitlist_counter"})
        watch(get_user_model(), PERSONAL_KEY)
        # A member an organizer removed or banned frees their seats; the membership admin
        # shows each member's attendance.
        group_hooks.member_removed.register(services.rsvps_release_removed)
        group_hooks.membership_annotations.register(member_attendance)
        # Cached pages follow events' own moments (start, end, RSVPs opening and closing).
        expiries.register(next_moments)
        # The emails about events (RSVPs, changes, reminders, announcements, messages).
        for kind in emails.KINDS:
            kinds.register(kind)

        # The admin home's checklist: the first event.
        core_adminhome.first_steps.register(adminhome.first_steps)

        # Image files go with their rows, however the rows go (see delete_files_receiver).
        post_delete.connect(
            delete_files_receiver("cover_image"),
            sender=Event,
            weak=False,
            dispatch_uid="event_files",
        )
        post_delete.connect(
            delete_files_receiver("photo"), sender=Speaker, weak=False, dispatch_uid="speaker_files"
        )
