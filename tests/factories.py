import copy
from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.markdown import markdown_store
from groups.models import Group, Membership, Role
from groups.permissions import organizers_group

from .twofactor import give_totp

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Member {n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Verified by default, as allauth's mandatory verification requires to log in."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):
        """Staff get an authenticator app (tests/twofactor.py), as the admin wants before it
        opens (members/twofactor.py); second_factor=False for one who has not set it up yet."""
        if create and (obj.is_staff if extracted is None else extracted):
            give_totp(obj)


class MarkdownModelFactory(factory.django.DjangoModelFactory):
    """Stores the rendered Markdown fields (MARKDOWN_FIELDS) as the services and admin do."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        instance = model_class(*args, **kwargs)
        markdown_store(instance)
        instance.save(force_insert=True)
        return instance


class GroupFactory(MarkdownModelFactory):
    class Meta:
        model = Group

    name = "Platform Cooperatives NYC"
    slug = factory.Sequence(lambda n: f"group-{n}")
    tagline = "Democratic ownership of the online economy."
    about = "We talk about **cooperatives**."
    city = "New York, NY"
    time_zone = "America/New_York"


def organizer_for(group):
    """The group's organizer (tests/conftest.py's `organizer`): staff, not superuser, in the
    "Organizers" permission group the migration creates."""
    user = UserFactory(is_staff=True)
    user.groups.add(organizers_group())
    MembershipFactory(group=group, user=user, role=Role.ORGANIZER)
    return user


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Venue"

    name = factory.Sequence(lambda n: f"Venue {n}")
    address = factory.Sequence(lambda n: f"{n} Example Street")
    city = "New York, NY"


class SeriesFactory(MarkdownModelFactory):
    class Meta:
        model = "events.Series"

    group = factory.LazyFunction(lambda: Group.objects.current() or GroupFactory())
    name = factory.Sequence(lambda n: f"Series {n}")
    slug = factory.Sequence(lambda n: f"series-{n}")


class SpeakerFactory(MarkdownModelFactory):
    class Meta:
        model = "events.Speaker"

    name = factory.Sequence(lambda n: f"Speaker {n}")
    slug = factory.Sequence(lambda n: f"speaker-{n}")
    affiliation = "A worker cooperative"
    bio = "Works on *cooperatives*."


class EventFactory(MarkdownModelFactory):
    """A published two-hour event; pass starts_at (aware) to place it in time."""

    class Meta:
        model = "events.Event"

    group = factory.LazyFunction(lambda: Group.objects.current() or GroupFactory())
    title = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    summary = "A conversation about cooperatives."
    description = ""
    status = "published"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    venue = factory.SubFactory(VenueFactory)


class BreakoutFactory(MarkdownModelFactory):
    class Meta:
        model = "events.Breakout"

    event = factory.SubFactory(EventFactory)
    topic = factory.Sequence(lambda n: f"Topic {n}")


# --- Conversation ------------------------------------------------------------------------------
# Rows as the services store them (rendered Markdown, counters), without the services' checks
# and posting limit: for tests that need many of them. Tests of the rules call the services.


class CommentFactory(MarkdownModelFactory):
    class Meta:
        model = "conversation.Comment"

    event = factory.SubFactory(EventFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Question {n}: what should I *read* before?")


class ThreadFactory(MarkdownModelFactory):
    class Meta:
        model = "conversation.Thread"

    group = factory.LazyFunction(lambda: Group.objects.current() or GroupFactory())
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Discussion {n}")
    body = "Let us talk about **platform co-ops**."


class ReplyFactory(MarkdownModelFactory):
    """A reply; the thread's reply_count and last activity follow, as thread_reply keeps them."""

    class Meta:
        model = "conversation.Reply"

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Reply {n}, with a [link](https://example.org/{n}).")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from django.db.models import F

        reply = super()._create(model_class, *args, **kwargs)
        model_class._meta.get_field("thread").related_model.objects.filter(
            pk=reply.thread_id
        ).update(reply_count=F("reply_count") + 1, last_activity_at=reply.created_at)
        return reply


class AnnouncementFactory(MarkdownModelFactory):
    class Meta:
        model = "conversation.Announcement"

    group = factory.LazyFunction(lambda: Group.objects.current() or GroupFactory())
    subject = factory.Sequence(lambda n: f"News {n}")
    body = "The group has *news*."
    send_at = factory.LazyFunction(timezone.now)
    emailed_at = factory.LazyAttribute(lambda o: o.send_at)


def stored_photos(album, *, by, count: int, alt: str = "Photo") -> list:
    """count photos of the album as the worker leaves them, their renditions named but not made:
    rows for pages and query counts, not files to open."""
    from photos.models import Photo

    return Photo.objects.bulk_create(
        Photo(
            album=album,
            uploaded_by=by,
            image=f"photos/x/{i}.jpg",
            grid_jpeg="g.jpg",
            large_jpeg="l.jpg",
            grid_webp="g.webp",
            large_webp="l.webp",
            grid_height=267,
            large_width=1600,
            large_height=1067,
            alt_text=f"{alt} {i}",
        )
        for i in range(count)
    )


def bulk_events(group, count: int, venues, *, vary=None) -> list:
    """count unsaved events for bulk_create, half past and half upcoming, on `venues` in turn,
    numbered after the events there are: copies of one Event made once, their own fields then
    set (making 10,000 Events field by field, every default and translation, cost more than
    their insert); vary(event, i) sets more."""
    from events.models import Event

    now = timezone.now()
    start = Event.objects.count()
    template = Event(group=group, status="published")

    def event(i):
        made = copy.copy(template)  # its own _state (Model.__getstate__)
        made.title = f"Bulk {start + i}"
        made.slug = f"bulk-{start + i}"
        made.starts_at = now + timedelta(days=(i - count // 2) or 1, hours=i % 5)
        made.ends_at = now + timedelta(days=(i - count // 2) or 1, hours=i % 5 + 2)
        made.venue = venues[i % len(venues)]
        if vary is not None:
            vary(made, i)
        return made

    return [event(i) for i in range(count)]
