"""Demo events for the demo group, with dates relative to the day they are first loaded."""

from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import TU, relativedelta
from django.db import transaction
from django.utils import timezone

from core import generations
from core.markdown import markdown_store
from groups.models import Group

from .models import (
    RSVP,
    AgendaItem,
    AgendaKind,
    Breakout,
    Event,
    EventSpeaker,
    EventStatus,
    Recurrence,
    RSVPStatus,
    Series,
    Speaker,
    SpeakerRole,
    Venue,
)

# For Spanish readers (events/translation.py); the breakouts' topics have theirs below.
UPCOMING_DESCRIPTION_ES = """\
Cada mes una persona invitada abre una conversación sobre valores cooperativos. Este mes
hablamos con Michaela, de la iniciativa de la Ciudad de Nueva York que acompaña a las
cooperativas de trabajo y les acerca los recursos de la ciudad.

Tras una presentación breve nos dividimos en mesas de conversación para nombrar el apoyo que
las cooperativas necesitan de una institución pública.
"""

UPCOMING_DESCRIPTION = """\
Every month a guest opens a conversation that reflects cooperative values. This month we
talk with Michaela from the City of New York's Worker Cooperative Business Development
Initiative, who helps cooperative developers reach the city's resources.

We will look at how New York City supports cooperatives today, and at the openings and the
difficulties that appear when people try to build a "new" or "solidarity" economy together
with a public agency.

After a short presentation we split into small discussions to name the support that
cooperatives need to do their most useful work: a chance to help each other, and to sketch
what a government that backs the solidarity economy could look like.
"""

MICHAELA_BIO = """\
Michaela has researched worker cooperatives and their place in the international social and
solidarity economy, with fieldwork touching Spain, Argentina, Brazil, Mexico, South Korea and
Canada. She came to cooperatives through the food justice movement: after coordinating her
university's food cooperative she kept working with organizations that solve problems
collectively and build solidarity.
"""

PAST_DESCRIPTION = """\
Who should own the data a community creates together? Our guest walked us through how
data cooperatives pool members' information under rules the members set themselves.
"""

PAST_NOTES = [
    (
        "Consent that means something",
        "What would meaningful, revocable consent look like in a member-owned platform?",
        "- Consent should be per purpose, not one checkbox.\n"
        "- Members wanted a plain-language log of every use of their data.\n"
        "- Follow-up: collect examples of cooperatives that publish such logs.",
    ),
    (
        "Paying for the commons",
        "How does a data cooperative fund its own infrastructure without selling data?",
        "- Membership dues plus grants were the most common model in the room.\n"
        "- Two participants offered to share their budgets at a future meetup.",
    ),
]


def _second_tuesday_after(day: date) -> date:
    candidate = day.replace(day=1) + relativedelta(weekday=TU(+2))
    while candidate <= day + timedelta(days=7):
        candidate = (candidate.replace(day=1) + relativedelta(months=1)) + relativedelta(
            weekday=TU(+2)
        )
    return candidate


def _at(day: date, hour: int, minute: int, zone) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


@transaction.atomic
def seed_events(group: Group, today: date | None = None) -> None:
    zone = group.zone
    today = today or timezone.now().astimezone(zone).date()
    venue, _ = Venue.objects.get_or_create(
        name="The Commons Room (demo venue)",
        defaults={
            "address": "100 Example Street, 2nd floor",
            "city": "New York, NY",
            "latitude": "40.718000",
            "longitude": "-73.998000",
            "accessibility_notes": "Step-free entrance on the side street; lift to the 2nd "
            "floor; an all-gender accessible restroom next to the room.",
            "directions": "Five minutes' walk from the nearest subway station. Ring "
            "“Commons” at the side door.",
            "accessibility_notes_es": "Entrada sin escalones por la calle lateral; ascensor "
            "al 2.º piso; baño accesible para todos los géneros junto a la sala.",
            "directions_es": "A cinco minutos a pie de la estación de metro más cercana. "
            "Toca el timbre “Commons” en la puerta lateral.",
        },
    )
    series, created = Series.objects.get_or_create(
        slug="monthly-guest-conversation",
        defaults={
            "group": group,
            "name": "Monthly guest conversation",
            "name_es": "Conversación mensual con invitados",
            "description": "A guest sets the theme with a short talk; then we talk together.",
            "cadence": "Monthly, second Tuesday, 6:30 PM",
            "cadence_es": "Cada mes, el segundo martes, a las 18:30",
            "recurrence": Recurrence.MONTHLY_WEEKDAY,
            "default_venue": venue,
        },
    )
    if created:
        series.save(update_fields=markdown_store(series))
    michaela, created = Speaker.objects.get_or_create(
        slug="michaela",
        defaults={
            "name": "Michaela",
            "affiliation": "NYC Worker Cooperative Business Development Initiative",
            "affiliation_es": "Iniciativa de Desarrollo de Cooperativas de Trabajo de NYC",
            "bio": MICHAELA_BIO,
        },
    )
    if created:
        michaela.save(update_fields=markdown_store(michaela))
    upcoming_day = _second_tuesday_after(today)
    upcoming, created = Event.objects.get_or_create(
        slug="how-nyc-supports-cooperatives",
        defaults={
            "group": group,
            "title": "How the City of New York is Supporting Cooperatives",
            "title_es": "Cómo apoya la Ciudad de Nueva York a las cooperativas",
            "summary_es": "Una conversación con el programa de cooperativas de trabajo de la "
            "ciudad sobre lo que las cooperativas necesitan de una institución pública.",
            "description_es": UPCOMING_DESCRIPTION_ES,
            "summary": "A conversation with the city's worker-cooperative program about "
            "what cooperatives need from a public partner.",
            "description": UPCOMING_DESCRIPTION,
            "status": EventStatus.PUBLISHED,
            "starts_at": _at(upcoming_day, 18, 30, zone),
            "ends_at": _at(upcoming_day, 20, 30, zone),
            "venue": venue,
            "capacity": 40,
            "max_guests": 1,
            "rsvp_question": "Which question would you like the breakouts to take on?",
            "series": series,
        },
    )
    if created:
        upcoming.save(update_fields=markdown_store(upcoming))
        EventSpeaker.objects.create(event=upcoming, speaker=michaela, role=SpeakerRole.GUEST)
        generations.bulk_create(
            AgendaItem,
            [
                AgendaItem(
                    event=upcoming,
                    order=1,
                    time=time(18, 30),
                    kind=AgendaKind.WELCOME,
                    title="Doors open and introductions",
                    title_es="Apertura de puertas y presentaciones",
                ),
                AgendaItem(
                    event=upcoming,
                    order=2,
                    time=time(18, 45),
                    kind=AgendaKind.PRESENTATION,
                    title="How NYC supports worker cooperatives, with Michaela",
                    title_es="Cómo apoya NYC a las cooperativas de trabajo, con Michaela",
                ),
                AgendaItem(
                    event=upcoming,
                    order=3,
                    time=time(19, 15),
                    kind=AgendaKind.BREAKOUTS,
                    title="Breakout discussions",
                    title_es="Conversaciones en grupos pequeños",
                ),
                AgendaItem(
                    event=upcoming,
                    order=4,
                    time=time(20, 0),
                    kind=AgendaKind.QA,
                    title="Report back and questions",
                    title_es="Puesta en común y preguntas",
                ),
            ],
        )
        generations.bulk_create(
            Breakout,
            [
                Breakout(
                    event=upcoming,
                    order=1,
                    topic="Access to capital",
                    topic_es="Acceso al capital",
                    prompt="What funding do cooperatives need that they cannot get today?",
                ),
                Breakout(
                    event=upcoming,
                    order=2,
                    topic="Technical assistance",
                    topic_es="Asistencia técnica",
                    prompt="Legal, accounting and tech help: what works, what is missing?",
                ),
                Breakout(
                    event=upcoming,
                    order=3,
                    topic="Public procurement",
                    topic_es="Compras públicas",
                    prompt="How could city contracts open up to cooperatives?",
                ),
            ],
        )

    past_day = _second_tuesday_after(today - timedelta(days=70))
    if past_day >= today:
        past_day -= timedelta(days=35)
    past, created = Event.objects.get_or_create(
        slug="data-cooperatives-who-owns-what-we-share",
        defaults={
            "group": group,
            "title": "Data Cooperatives: Who Owns What We Share?",
            "summary": "How communities can pool and govern their own data.",
            "description": PAST_DESCRIPTION,
            "status": EventStatus.PUBLISHED,
            "starts_at": _at(past_day, 18, 30, zone),
            "ends_at": _at(past_day, 20, 30, zone),
            "venue": venue,
            "series": series,
        },
    )
    if created:
        past.save(update_fields=markdown_store(past))
        breakouts = [
            Breakout(
                event=past,
                order=order,
                topic=topic,
                prompt=prompt,
                notes=notes,
                notes_published=True,
            )
            for order, (topic, prompt, notes) in enumerate(PAST_NOTES, start=1)
        ]
        for breakout in breakouts:
            markdown_store(breakout)
        generations.bulk_create(Breakout, breakouts)
        AgendaItem.objects.create(
            event=past,
            order=1,
            time=time(18, 45),
            kind=AgendaKind.PRESENTATION,
            title="Guest presentation",
        )
        # The group's organizers went and were checked in: the recap shows who went as faces.
        generations.bulk_create(
            RSVP,
            [
                RSVP(
                    event=past,
                    member_id=membership.user_id,
                    status=RSVPStatus.GOING,
                    checked_in_at=past.starts_at,
                )
                for membership in group.memberships.order_by("pk")
            ],
        )
