"""How a ballot stays secret, in one place: the keyed hashes the roll and the box keep, and
what the server can and cannot know (the poll page and the privacy page print SERVER_KNOWS
and SERVER_CANNOT_KNOW; tests/decisions/test_secret_ballots.py checks STORED against the
tables' columns, so a column added to either table without saying so here fails the tests).

Casting a ballot writes two rows in one transaction: a row of the voter roll (who voted in
which poll, on which day) and a row of the ballot box (which options, and the keyed hash of
the voter's receipt). Nothing links them: the box has a random key, no time and no account.
"""

import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from groups.models.bans import ban_email_normalized

# Live results appear only from this many ballots on: below it, comparing the results before
# and after someone votes would show their choice.
RESULTS_FROM = 5


def _hmac(salt: str, value: str) -> str:
    return salted_hmac(salt, value, secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()


def voter_key(email: str) -> str:
    """A keyed SHA-256 of the (verified, normalized) address: one person, one vote per poll,
    whatever accounts they make with it; the address itself is not kept."""
    return _hmac("potluck.decisions.voter", ban_email_normalized(email))


def receipt_new() -> str:
    """A random receipt, given once to the voter: 128 bits, nobody else holds it."""
    return secrets.token_urlsafe(16)


def receipt_hash(poll_id: int, receipt: str) -> str:
    """What the box keeps of a receipt: a keyed hash, so the receipt cannot be read back."""
    return _hmac("potluck.decisions.receipt", f"{poll_id}:{(receipt or '').strip()}")


# Every column of the two tables, and what it holds (checked against the models by a test).
STORED = {
    "voterroll": {
        "id": _("The row's number."),
        "poll": _("The poll."),
        "member": _("Your account (emptied if you delete it)."),
        "voter_key": _("A keyed fingerprint of your address: one vote per person and poll."),
        "voted_on": _("The day you first voted (no time)."),
    },
    "ballotbox": {
        "id": _("A random key, not a number that follows the order of the votes."),
        "poll": _("The poll."),
        "choices": _("The options chosen, in order for ranked choice."),
        "receipt_hash": _("A keyed fingerprint of the receipt, to change the ballot."),
    },
    "eligible": {
        "id": _("The row's number."),
        "poll": _("The poll."),
        "member": _("An account that may vote, fixed when the poll opens."),
        "voter_key": _("A keyed fingerprint of its address."),
    },
}


def stored_lines(table: str) -> tuple:
    """ "column: what it holds" for each column of a table, as the privacy page lists them."""
    return tuple(format_lazy("{}: {}", name, meaning) for name, meaning in STORED[table].items())


SERVER_KNOWS = (
    _("Who may vote in a poll (the roll fixed when it opens), and who voted, on which day."),
    _("Every ballot's choices, with no name, no time and no number that follows the votes."),
    _(
        "While a vote is sent, the running site sees who sends which choices: whoever runs "
        "the server could change its code to write that down. Nothing in the stored data does."
    ),
    _(
        "The database stores new ballots in the order they come, as it does the roll: a copy "
        "of it could pair the ballots of the last few minutes with the roll by position. Every "
        "five minutes, and when the poll closes, the site rewrites the box in a random order; "
        "the database's own files may keep older copies of rows until it cleans them up."
    ),
)

SERVER_CANNOT_KNOW = (
    _(
        "Which ballot is whose, from the database or a backup (but for the last few minutes' "
        "ballots, above): the roll and the box are two tables with no link between them."
    ),
    _(
        "Your receipt: only a keyed fingerprint of it is stored, so nobody can change your "
        "ballot without it, and the site cannot show you what you chose."
    ),
    format_lazy(_("Live results before {count} ballots are in."), count=RESULTS_FROM),
)
