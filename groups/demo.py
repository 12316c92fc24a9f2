"""The demo group: a New York meetup about cooperative, democratically owned platforms.

Written in our own words from the group's public page. Everything is created with
get_or_create on a natural key, so loading it twice changes nothing.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from core.markdown import markdown_store

from .models import Group, Membership, ResourceLink, Role, SocialLink
from .permissions import organizers_group

DEMO_ORGANIZER_EMAIL = "organizer@potluck.example"
DEMO_ORGANIZER_PASSWORD = "potluck-demo-organizer"  # noqa: S105 - printed by make run on purpose
# The demo organizer's authenticator app (home's seed_demo sets it up): the admin opens only
# with a second factor, and this one is as public as the password. RFC 4648 base32, 20 bytes.
DEMO_ORGANIZER_TOTP_KEY = "POTLUCKDEMOORGANIZERKEY234567ABC"

ABOUT = """\
We imagine online platforms that are owned and governed democratically by the people who
depend on them, above all the people who contribute their work and their personal data.

Some of us already run businesses built on those values. Some of us are thinking about
starting a cooperative or an organization of our own. Some of us simply want to help the
others succeed. **Everyone is welcome.**

Nobody has every answer about how this should work. We learn it together, by meeting and
by contributing to each other's projects.

Every meetup has a clear theme and a guest who lays a foundation for it with a short talk.
Then we spend most of the evening in conversation: small breakout discussions where we share
what we know about democratic ownership and control of digital technology.
"""

STEP_UP = """\
Mike and Austin started this group, and they want it to grow into a project that its
members run together. Would you like to host an evening, suggest a guest, facilitate a
breakout or help with the website? Send the organizers a note.
"""

RESOURCES = [
    (
        "Platform cooperativism: an introduction",
        "https://example.org/resources/platform-coops",
        "A first reading list on member-owned platforms.",
    ),
    (
        "Worker cooperatives in New York City",
        "https://example.org/resources/nyc-worker-coops",
        "Where the city's cooperative economy stands today.",
    ),
    (
        "Governing shared data",
        "https://example.org/resources/data-governance",
        "How a community can own and steward the data it creates.",
    ),
]

SOCIAL = [
    ("Mastodon", "https://example.org/@platformcoops-nyc"),
    ("Newsletter", "https://example.org/newsletter/platformcoops-nyc"),
]

ORGANIZERS = [
    ("mike@potluck.example", "Mike", Role.ORGANIZER),
    ("austin@potluck.example", "Austin", Role.ORGANIZER),
]


# The group's page for Spanish readers (groups/translation.py): a shorter text of its own.
ABOUT_ES = """\
Somos un grupo de Nueva York que se reúne cada mes para hablar de plataformas en línea que
son de quienes las usan y las hacen funcionar: cooperativas de plataforma, de datos y de
trabajo.

Cada encuentro tiene un invitado, una charla breve y luego **mesas de conversación** en
grupos pequeños. Aprendemos juntos, y cualquiera puede proponer temas, invitados o ayudar a
organizar.
"""


@transaction.atomic
def seed_group() -> Group:
    group, created = Group.objects.get_or_create(
        slug="platform-coops-nyc",
        defaults={
            "name": "Platform Cooperatives NYC",
            "tagline": "Democratic ownership of the online economy, one conversation at a time.",
            "tagline_es": "La propiedad democrática de la economía en línea, conversación a "
            "conversación.",
            "about": ABOUT,
            "about_es": ABOUT_ES,
            "step_up": STEP_UP,
            "city": "New York, NY",
            "time_zone": "America/New_York",
        },
    )
    if created:
        group.save(update_fields=markdown_store(group))
    for order, (title, url, note) in enumerate(RESOURCES):
        ResourceLink.objects.get_or_create(
            group=group, url=url, defaults={"title": title, "note": note, "order": order}
        )
    for order, (label, url) in enumerate(SOCIAL):
        SocialLink.objects.get_or_create(
            group=group, url=url, defaults={"label": label, "order": order}
        )

    user_model = get_user_model()
    for email, name, role in ORGANIZERS:
        user, created = user_model.objects.get_or_create(
            email=email, defaults={"display_name": name}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(group=group, user=user, defaults={"role": role})

    demo, created = user_model.objects.get_or_create(
        email=DEMO_ORGANIZER_EMAIL, defaults={"display_name": "Demo Organizer", "is_staff": True}
    )
    if created:
        demo.set_password(DEMO_ORGANIZER_PASSWORD)
        demo.save(update_fields=["password"])
        demo.groups.add(organizers_group())
    EmailAddress.objects.get_or_create(
        user=demo, email=DEMO_ORGANIZER_EMAIL, defaults={"verified": True, "primary": True}
    )
    Membership.objects.get_or_create(group=group, user=demo, defaults={"role": Role.CO_ORGANIZER})
    return group
