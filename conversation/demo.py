"""The demo group's conversations: a few members, questions on the next evening, follow-up
on the last one, two discussions and a welcome announcement. Idempotent: each piece is
created once, keyed by its text, so running seed_demo again changes nothing."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.markdown import markdown_store
from events.models import Event
from groups.models import Group, Membership, Role

from .models import Announcement, Category, Comment, Follow, Reply, Thread

MEMBERS = [
    ("rosa@potluck.example", "Rosa"),
    ("dev@potluck.example", "Dev"),
    ("lin@potluck.example", "Lin"),
]

# The board's sections, with their Spanish names (conversation/translation.py).
CATEGORIES = {"Projects": "Proyectos", "Ideas for evenings": "Ideas para las veladas"}

QUESTIONS = [
    (
        "rosa@potluck.example",
        "Will there be time to ask Michaela about the city's loan programs for new co-ops?",
        (
            "mike@potluck.example",
            "Yes: we keep the last fifteen minutes of the talk for questions, loans included.",
        ),
    ),
    (
        "dev@potluck.example",
        "Is the room step-free? A friend of mine uses a wheelchair.",
        (
            "austin@potluck.example",
            "It is: the entrance on the side street has a ramp, and the elevator goes to our "
            "floor.",
        ),
    ),
]

FOLLOW_UP = [
    (
        "lin@potluck.example",
        "Thanks for a great evening. The notes from my breakout are here: "
        "[who owns shared data?](https://example.org/notes/data-coops)",
    ),
]

THREADS = [
    (
        "Projects",
        "rosa@potluck.example",
        "A co-op for the city's delivery riders",
        "Some of us are sketching a rider-owned delivery app for Brooklyn. We need people who know "
        "**dispatch software** and people who have run a co-op's books. Interested?",
        [
            (
                "dev@potluck.example",
                "I have built dispatch systems before. Count me in for a call.",
            ),
            (
                "mike@potluck.example",
                "Great idea. Want ten minutes at the next meetup to present it?",
            ),
        ],
    ),
    (
        "Ideas for evenings",
        "lin@potluck.example",
        "A guest on data trusts?",
        "Could we invite someone who runs a data trust? I would love an evening on how members "
        "decide who may use the data they pool.",
        [("austin@potluck.example", "We are asking around. Suggestions of names are welcome.")],
    ),
]

WELCOME = (
    "Welcome to the group's own website",
    "We moved the group here, to a site the group runs itself: no ads, no trackers. "
    "Questions go on each event's page; ideas and projects go to **Discussions**. "
    "You choose which emails you get on your account page.",
)


def _person(email: str, name: str, group: Group):
    user, created = get_user_model().objects.get_or_create(
        email=email, defaults={"display_name": name}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(group=group, user=user, defaults={"role": Role.MEMBER})
    return user


def _stored(model, **fields):
    """The row with these fields, created (with its Markdown rendered) if missing."""
    found = model.objects.filter(**fields).first()
    if found is not None:
        return found, False
    row = model(**fields)
    markdown_store(row)
    row.save()
    return row, True


@transaction.atomic
def seed_conversation(group: Group) -> None:
    people = {email: _person(email, name, group) for email, name in MEMBERS}
    people |= {
        m.user.email: m.user for m in Membership.objects.filter(group=group).select_related("user")
    }
    now = timezone.now()
    upcoming = Event.objects.filter(group=group, slug="how-nyc-supports-cooperatives").first()
    past = Event.objects.filter(
        group=group, slug="data-cooperatives-who-owns-what-we-share"
    ).first()
    if upcoming is not None:
        for email, text, (answerer, answer) in QUESTIONS:
            question, _ = _stored(Comment, event=upcoming, author=people[email], body=text)
            _stored(
                Comment,
                event=upcoming,
                author=people[answerer],
                body=answer,
                parent=question,
                by_host=True,
            )
    if past is not None:
        for email, text in FOLLOW_UP:
            _stored(Comment, event=past, author=people[email], body=text)
    categories = {}
    for position, (name, spanish) in enumerate(CATEGORIES.items()):
        categories[name], _ = Category.objects.get_or_create(
            group=group, name_en=name, defaults={"position": position, "name_es": spanish}
        )
    for category, email, title, body, replies in THREADS:
        thread, created = _stored(Thread, group=group, author=people[email], title=title, body=body)
        Follow.objects.get_or_create(thread=thread, member=people[email])
        thread.category = categories[category]
        for replier, text in replies:
            _stored(Reply, thread=thread, author=people[replier], body=text)
            Follow.objects.get_or_create(thread=thread, member=people[replier])
        if created:
            thread.last_activity_at = now - timedelta(hours=len(replies))
        thread.reply_count = thread.replies.shown().count()
        thread.save(update_fields=["category", "reply_count", "last_activity_at"])
    subject, body = WELCOME
    if not Announcement.objects.filter(group=group, subject=subject).exists():
        announcement = Announcement(
            group=group,
            author=people.get("mike@potluck.example"),
            subject=subject,
            body=body,
            send_at=now,
            emailed_at=now,  # the demo sends no email
        )
        markdown_store(announcement)
        announcement.save()
