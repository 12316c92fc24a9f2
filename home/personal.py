"""Which copy of a member's own pages a signed-in person gets from the page cache.

The member's home, the /me/ sections, a discussion and a poll show the person's own state
all over them (their form values, RSVPs, ballot, follows, their role's buttons), so their
version is simply the person: nobody is ever served another's copy. What makes a copy
stale is in the rest of the key (home/pagecache.py): the page counter, which every
committed change to a row of the project's own apps moves (core/generations.py), the
language, the host and the full path, and the moment the page changes by the clock
(request.page_expires). What lives outside those is added to the version here: allauth's
second factors (a package's table, which moves no counter) for /me/security/.

A copy is kept for PERSONAL_TIMEOUT at most (half an hour): each person's pages take room of
their own (once each, uncompressed, as every page with a CSRF hole: home/pagecache.py).
"""

import hashlib
from dataclasses import dataclass

from allauth.mfa.models import Authenticator

PERSONAL_TIMEOUT = 1800  # seconds a person's own copy is kept at most


@dataclass(frozen=True)
class PersonalPageVersion:
    """One person's own copy of a page; extra: what the page shows from outside the
    project's tables (a digest)."""

    person: int
    extra: str = ""


def personal_page_version(request, **kwargs) -> PersonalPageVersion | None:
    """The signed-in person's own copy (no query: request.user is loaded already)."""
    user = request.user
    if not user.is_authenticated or getattr(request, "group", None) is None:
        return None
    return PersonalPageVersion(person=user.pk)


def security_page_version(request, **kwargs) -> PersonalPageVersion | None:
    """/me/security/: the person, and their second factors as allauth stores them (a new
    passkey, a recovery code used), read in one query."""
    version = personal_page_version(request)
    if version is None:
        return None
    rows = Authenticator.objects.filter(user_id=version.person).order_by("pk")
    state = repr(list(rows.values_list("pk", "type", "data")))
    return PersonalPageVersion(
        person=version.person, extra=hashlib.sha256(state.encode()).hexdigest()[:32]
    )


# Signed-in pages (by URL name) kept per person, with the function that gives their version.
PERSONAL_PAGES = {
    "home": personal_page_version,
    "members:me": personal_page_version,
    "members:me_notifications": personal_page_version,
    "members:me_calendar": personal_page_version,
    "members:me_security": security_page_version,
    "members:me_data": personal_page_version,
    "conversation:thread": personal_page_version,
    "decisions:poll": personal_page_version,
}
