"""The demo group's decisions: proposals members made and supported (one declined with a reason,
one turned into a draft event), an open ranked-choice poll with a few ballots and a closed one
with its results. Written through decisions.services, so the transparency log has its entries.

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
from .models import Option, Poll, Proposal, ProposalKind

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
