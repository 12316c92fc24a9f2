"""First sign-in: create_organizer's one-time link, a password, the second factor, and the
admin home's first steps, each ticked as it is done."""

import html
import io
import re

import pytest
from django.core.management import call_command

from groups.models import Group, Role
from tests.factories import EventFactory, MembershipFactory
from tests.twofactor import activate_totp

pytestmark = pytest.mark.django_db

CO_ORGANIZER = "Make a member co-organizer (in their membership)"
PASSWORDS = {"new_password1": "a long new passphrase", "new_password2": "a long new passphrase"}


def _steps(client) -> list[tuple[str, str, str]]:
    """(state, link, text) of each first step the admin home shows."""
    page = client.get("/admin/").content.decode()
    if 'id="potluck-steps-title"' not in page:
        return []
    steps = page.split('id="potluck-steps-title"', 1)[1].split("</section>", 1)[0]
    found = re.findall(
        r'<li class="(\w+)">\s*<span class="visually-hidden">[^<]*</span>\s*'
        r'<a href="([^"]+)">([^<]+)</a>',
        steps,
    )
    return [(state, html.unescape(url), html.unescape(text)) for state, url, text in found]


def test_the_first_organizer_lands_on_the_admin_home_with_first_steps(client):
    out = io.StringIO()
    call_command("create_organizer", "ana@example.org", "--group-name", "Coops", stdout=out)
    link = re.search(r"(/organizer-link/\S+)", out.getvalue())[1]
    done = client.post(link, PASSWORDS)
    assert (done.status_code, done["Location"]) == (302, "/admin/")
    assert client.session["_auth_user_id"]  # signed in
    # The admin wants a second factor first, then opens on its home.
    assert client.get("/admin/")["Location"] == "/me/two-factor/admin/?next=%2Fadmin%2F"
    activate_totp(client, "a long new passphrase")
    group = Group.objects.get()
    change = f"/admin/groups/group/{group.pk}/change/"
    assert _steps(client) == [
        ("todo", change, "Write the group's tagline and “About”"),
        ("todo", change, "Choose a cover image"),
        ("todo", "/admin/groups/membership/?status__exact=active", CO_ORGANIZER),
        ("todo", "/admin/events/event/add/", "Create the first event"),
    ]
    for _state, url, _text in _steps(client):
        assert client.get(url).status_code == 200
    group.tagline = "Cooperatives, every month"
    group.about = "We talk about cooperatives."
    group.save()
    EventFactory(group=group)
    assert [state for state, *_ in _steps(client)] == ["done", "todo", "todo", "done"]
    group.cover_image = "group/cover.jpg"
    group.save()
    MembershipFactory(group=group, role=Role.CO_ORGANIZER)
    assert _steps(client) == []  # all done: the checklist goes
