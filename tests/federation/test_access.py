"""role × URL × method → status for every federation URL: public JSON, the same for
everyone (a draft or another group's slug is 404 even for organizers: other servers never see
more than a visitor); the inboxes take POST only, and only signed."""

import pytest

from events.models import EventStatus
from tests.factories import EventFactory, MembershipFactory

ROLES = ["anonymous", "member", "organizer"]
ACTIVITY = {"Accept": "application/activity+json"}


@pytest.fixture
def urls(actor):
    group = actor.group
    published = EventFactory(group=group)
    draft = EventFactory(group=group, status=EventStatus.DRAFT)
    base = f"/federation/{group.slug}"
    return {
        "actor": (base, 200),
        "other_slug": ("/federation/someone-else", 404),
        "outbox": (base + "/outbox", 200),
        "outbox_page": (base + "/outbox?page=1", 200),
        "outbox_past_end": (base + "/outbox?page=9", 404),
        "followers": (base + "/followers", 200),
        "event": (f"{base}/events/{published.pk}", 200),
        "draft_event": (f"{base}/events/{draft.pk}", 404),
        "webfinger_other_host": ("/.well-known/webfinger?resource=acct:x@elsewhere.example", 404),
        "nodeinfo": ("/nodeinfo/2.1", 200),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_federation_url_answers_the_same_to_every_role(client, urls, organizer, role):
    if role == "member":
        client.force_login(MembershipFactory(group=organizer.member_of_groups.get()).user)
    elif role == "organizer":
        client.force_login(organizer)
    answered = {
        name: client.get(path, headers=ACTIVITY).status_code for name, (path, _) in urls.items()
    }
    assert answered == {name: status for name, (_path, status) in urls.items()}
    # GET on an inbox is not allowed; POST without a signature is refused.
    inbox = urls["actor"][0] + "/inbox"
    assert client.get(inbox).status_code == 405
    assert client.get("/inbox").status_code == 405
    assert client.post(inbox, data="{}", content_type="application/json").status_code == 401
    assert client.post("/inbox", data="{}", content_type="application/json").status_code == 401
