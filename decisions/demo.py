"""The demo group's decisions: proposals members made and supported (one declined with a reason,
one turned into a draft event), an open ranked-choice poll with a few ballots and a closed one
with its results, an open consent proposal with its positions (one member standing aside, with
a reason), a closed dates poll for the project fair made into a draft event, and a past
election of the co-organizers who facilitate the breakout tables. Written through
decisions.services, so the transparency log has its entries.

Idempotent: each proposal and poll is made once, keyed by its title or question, with its
supports, ballots and decision, so running seed_demo again changes nothing. seed_demo calls it
before home.demo.seed_pictures, which gives the draft event its cover the first time.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from conversation.demo import MEMBERS  # Rosa, Dev and Lin write in both
from groups.models import Group, Membership, Role

from . import services
from .counting import Method
from .models import Decision, Election, Option, Poll, Proposal, ProposalKind

MIKE, AUSTIN = "mike@potluck.example", "austin@potluck.example"

# (kind, author, title, body, contact, days ago, supporters, what the organizers decided)
PROPOSALS = [
    (
        ProposalKind.GUEST,
        "lin@potluck.example",
        "A guest from a driver-owned ride-hailing cooperative",
        "Drivers in the city now own a ride-hailing app together. Someone from their board could "
        "tell us how drivers vote on fares, and what the co-op does with the trip data their "
        "work produces.",
        "Through the co-op's contact page: https://example.org/drivers-coop/contact",
        9,
        ["rosa@potluck.example", "dev@potluck.example", AUSTIN],
        None,
    ),
    (
        ProposalKind.TOPIC,
        "dev@potluck.example",
        "Exit to community: when a startup sells itself to its users",
        "Some founders would rather hand their company to the people who use it than to another "
        "investor. How does such a sale work, who pays for it, and what do the new owners "
        "**govern**?",
        "",
        16,
        ["rosa@potluck.example", "lin@potluck.example", MIKE],
        "event",
    ),
    (
        ProposalKind.BREAKOUT,
        "rosa@potluck.example",
        "Keeping the books of a young cooperative",
        "A breakout for people starting a co-op: patronage, member capital accounts, and the "
        "spreadsheet you need before you can afford an accountant.",
        "",
        6,
        ["dev@potluck.example"],
        None,
    ),
    (
        ProposalKind.TOPIC,
        "rosa@potluck.example",
        "A weekend hackathon for co-op software",
        "Two days to build small tools our members' cooperatives need: a shift planner, a voting "
        "bot, a shared calendar.",
        "",
        21,
        ["lin@potluck.example"],
        "This season we have neither a room for a whole weekend nor enough volunteers to run it "
        "well. Let us ask again in a few months, once more members help organize; meanwhile the "
        "Projects board is a good place to find people for these tools.",
    ),
]

# (question, details, method, opened by, opened days ago, open for days, options, ballots by
# member: option numbers in order of preference, closed early days ago or None)
POLLS = [
    (
        "Which breakout themes next month?",
        "Rank the themes you would like to discuss, 1 for your favourite. The winner gets the "
        "first breakout room; the counts help us plan the others.",
        Method.RANKED,
        MIKE,
        2,
        12,
        [
            "Legal forms for a new co-op",
            "Worker ownership of data",
            "Financing without venture capital",
            "Who votes on what in a platform co-op",
        ],
        {
            "rosa@potluck.example": [2, 0],
            "dev@potluck.example": [3, 1, 2],
            "lin@potluck.example": [1, 3],
        },
        None,
    ),
    (
        "What should our once-a-year special evening be?",
        "One evening a year in a different format from our usual ones. Rank the ideas you like.",
        Method.RANKED,
        AUSTIN,
        30,
        14,
        [
            "A potluck dinner with short member talks",
            "A project fair: members present their co-ops",
            "A walk past cooperatives in Brooklyn",
        ],
        {
            MIKE: [0],
            AUSTIN: [0, 1],
            "rosa@potluck.example": [1],
            "dev@potluck.example": [1, 0],
            "lin@potluck.example": [2, 1],
        },
        21,
    ),
]


def _person(email: str, name: str, group: Group):
    user, created = get_user_model().objects.get_or_create(
        email=email, defaults={"display_name": name}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(group=group, user=user, defaults={"role": Role.MEMBER})
    return user


def _seed_proposals(group: Group, people: dict, now) -> None:
    for kind, author, title, body, contact, days, supporters, decision in PROPOSALS:
        if Proposal.objects.filter(group=group, title=title).exists():
            continue
        proposal = services.proposal_add(
            group=group,
            author=people[author],
            kind=kind,
            title=title,
            body=body,
            contact=contact,
            now=now - timedelta(days=days),
        )
        for email in supporters:
            services.proposal_support(proposal=proposal, member=people[email])
        if decision == "event":
            services.proposal_to_event(proposal=proposal, by=people[MIKE])
        elif decision:
            services.proposal_decline(proposal=proposal, by=people[AUSTIN], reason=decision)


def _seed_polls(group: Group, people: dict, now) -> None:
    for question, details, method, by, days_ago, days_open, labels, ballots, closed in POLLS:
        if Poll.objects.filter(group=group, question=question).exists():
            continue
        opened = now - timedelta(days=days_ago)
        poll = services.poll_open(
            group=group,
            by=people[by],
            question=question,
            details=details,
            options=labels,
            method=method,
            opens_at=opened,
            closes_at=opened + timedelta(days=days_open),
            now=opened,
        )
        options = list(Option.objects.filter(poll=poll).order_by("position"))
        for number, (email, ranks) in enumerate(ballots.items(), start=1):
            services.ballot_cast(
                poll=poll,
                member=people[email],
                choices=[options[rank] for rank in ranks],
                now=opened + timedelta(hours=5 * number),
            )
        if closed is not None:
            services.poll_close(poll=poll, by=people[by], now=now - timedelta(days=closed))


@transaction.atomic
def seed_decisions(group: Group) -> None:
    people = {email: _person(email, name, group) for email, name in MEMBERS}
    people |= {
        m.user.email: m.user for m in Membership.objects.filter(group=group).select_related("user")
    }
    now = timezone.now()
    _seed_proposals(group, people, now)
    _seed_polls(group, people, now)
    _seed_consent(group, people, now)
    _seed_dates_poll(group, people, now)
    _seed_election(group, people, now)


CONSENT_TITLE = "Take turns facilitating the breakout tables"
CONSENT_BODY = (
    "After each guest's talk we split into small tables. Until now Mike and Austin have "
    "steered most of them. Let each table pick its own facilitator for the evening from "
    "those who have not done it yet, with a short card of prompts the group writes together."
)
# (member, position, reason, hours after it opened)
POSITIONS = [
    ("rosa@potluck.example", "agree", "", 3),
    ("lin@potluck.example", "agree", "A card of prompts helps first-timers a lot.", 7),
    (
        "dev@potluck.example",
        "abstain",
        "I stand aside: I miss most evenings until spring, so others should shape this. "
        "No objection.",
        20,
    ),
    (AUSTIN, "agree", "", 26),
]


def _seed_consent(group: Group, people: dict, now) -> None:
    """Open for a few more days, so visitors of the demo can state a position too."""
    if Decision.objects.filter(group=group, title=CONSENT_TITLE).exists():
        return
    opened = now - timedelta(days=2)
    decision = services.decision_open(
        group=group,
        by=people[MIKE],
        title=CONSENT_TITLE,
        body=CONSENT_BODY,
        closes_at=now + timedelta(days=5),
        now=opened,
    )
    for email, position, reason, hours in POSITIONS:
        services.position_state(
            decision=decision,
            member=people[email],
            position=position,
            reason=reason,
            now=opened + timedelta(hours=hours),
        )


DATES_QUESTION = "Which evening for the project fair?"
DATES_DETAILS = (
    "The special evening we chose is a fair where members present their cooperatives. Say for "
    "each evening whether you can come; the one with the most yes wins."
)
# Answers per member for the three evenings, earliest first.
DATES_ANSWERS = {
    MIKE: ["yes", "yes", "no"],
    AUSTIN: ["if_need_be", "yes", "yes"],
    "rosa@potluck.example": ["no", "yes", "if_need_be"],
    "dev@potluck.example": ["yes", "if_need_be", "no"],
    "lin@potluck.example": ["no", "yes", "yes"],
}


def _seed_dates_poll(group: Group, people: dict, now) -> None:
    """Closed, with its outcome, and its winning evening made a draft event."""
    if Poll.objects.filter(group=group, question=DATES_QUESTION).exists():
        return
    opened = now - timedelta(days=12)
    evening = (now + timedelta(days=40)).astimezone(group.zone)
    evening = evening.replace(hour=18, minute=30, second=0, microsecond=0)
    starts = [evening, evening + timedelta(days=7), evening + timedelta(days=9)]
    poll = services.poll_open(
        group=group,
        by=people[AUSTIN],
        question=DATES_QUESTION,
        details=DATES_DETAILS,
        options=starts,
        method=Method.DATES,
        opens_at=opened,
        closes_at=opened + timedelta(days=7),
        now=opened,
    )
    options = list(Option.objects.filter(poll=poll).order_by("position"))
    for number, (email, answers) in enumerate(DATES_ANSWERS.items(), start=1):
        services.ballot_cast(
            poll=poll,
            member=people[email],
            choices=dict(zip(options, answers, strict=True)),
            now=opened + timedelta(hours=9 * number),
        )
    services.poll_close(
        poll=poll,
        by=people[AUSTIN],
        outcome="The second evening won with four yes. Austin books the room; tables for "
        "each co-op, and ten minutes each for those who want to present.",
        now=opened + timedelta(days=6),
    )
    closed = Poll.objects.get(pk=poll.pk)  # closed early: its closing time moved
    services.poll_to_event(poll=closed, by=people[AUSTIN], now=opened + timedelta(days=6, hours=1))


# (voter, candidates in order of preference): two seats, counted by single transferable vote.
ELECTION_BALLOTS = [
    ("rosa@potluck.example", ["Lin", "Demo Organizer"]),
    ("dev@potluck.example", ["Dev", "Lin"]),
    (MIKE, ["Demo Organizer", "Lin"]),
    (AUSTIN, ["Lin", "Demo Organizer"]),
    ("lin@potluck.example", ["Lin", "Dev"]),
]


def _seed_election(group: Group, people: dict, now) -> None:
    """The co-organizers who facilitate the breakout tables, elected last season for a year:
    Lin and the demo organizer (who keeps the role the demo signs in with)."""
    if Election.objects.filter(poll__group=group).exists():
        return
    demo = Membership.objects.get(group=group, user__display_name="Demo Organizer").user
    opened = now - timedelta(days=60)
    candidates = [demo, people["lin@potluck.example"], people["dev@potluck.example"]]
    poll = services.election_open(
        group=group,
        by=people[MIKE],
        role=Role.CO_ORGANIZER,
        seats=2,
        candidates=candidates,
        closes_at=opened + timedelta(days=10),
        term_ends=opened + timedelta(days=365),
        now=opened,
    )
    options = {o.label: o for o in Option.objects.filter(poll=poll)}
    for number, (email, names) in enumerate(ELECTION_BALLOTS, start=1):
        services.ballot_cast(
            poll=poll,
            member=people[email],
            choices=[options[name] for name in names],
            now=opened + timedelta(hours=11 * number),
        )
    services.poll_close(
        poll=poll,
        by=people[MIKE],
        outcome="Lin and the demo organizer facilitate the breakout tables until next year; "
        "they keep the card of prompts up to date.",
        now=opened + timedelta(days=9),
    )
