"""A member's own time zone: chosen on /me/notifications/ next to the language, typed with
suggestions (a <datalist> built once, not a select of ~500 options), kept in the export."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from members import services
from members.data import DATA
from members.forms import NotificationsForm, time_zone_datalist
from members.models import time_zone_choices

pytestmark = pytest.mark.django_db


URL = "/me/notifications/"


def _notifications(**changes) -> dict:
    return {"notify_new_events": "on", "language": "", **changes}


def test_time_zone_is_on_the_me_page_after_the_language(client, member):
    client.force_login(member)
    with translation.override("en"):
        html = client.get(URL).content.decode()
    assert html.index('name="language"') < html.index('name="time_zone"')
    assert (
        '<input type="text" name="time_zone" list="time-zones" autocomplete="off" '
        'spellcheck="false" aria-describedby="id_time_zone_helptext" id="id_time_zone">'
    ) in html
    assert html.count("<datalist") == 1
    assert '<option value="Europe/Madrid"></option>' in html
    assert '<option value="America/Argentina/Buenos_Aires"></option>' in html
    assert '<select name="time_zone"' not in html
    assert "Every time is also shown in this zone, beside the group" in html


def test_the_zone_list_is_built_once(member):
    """The ~500 suggestions are one cached string, not options rendered per request."""
    assert time_zone_datalist() is time_zone_datalist()
    member.time_zone = "Asia/Kolkata"
    field = str(NotificationsForm(instance=member)["time_zone"])
    assert 'value="Asia/Kolkata"' in field
    assert field.endswith(time_zone_datalist())


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Europe/Madrid", "Europe/Madrid"),
        ("  europe/madrid ", "Europe/Madrid"),
        ("America/Argentina/Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("utc", "UTC"),
    ],
)
def test_a_typed_zone_is_saved_as_its_name(client, member, typed, stored):
    client.force_login(member)
    assert client.post(URL, _notifications(time_zone=typed)).status_code == 302
    member.refresh_from_db()
    assert member.time_zone == stored


def test_time_zone_is_saved_and_emptied(client, member):
    client.force_login(member)
    response = client.post(URL, _notifications(time_zone="Asia/Kolkata"))
    assert (response.status_code, response["Location"]) == (302, URL)
    member.refresh_from_db()
    assert member.time_zone == "Asia/Kolkata"
    client.post(URL, _notifications(time_zone=""))
    member.refresh_from_db()
    assert member.time_zone == ""


@pytest.mark.parametrize("value", ["Mars/Olympus_Mons", "US/Eastern", "localtime", "x" * 100])
def test_a_bad_time_zone_is_refused_next_to_the_field(client, member, value):
    client.force_login(member)
    with translation.override("en"):
        response = client.post(URL, _notifications(time_zone=value))
    assert response.status_code == 400
    form = response.context["notifications_form"]
    message = f"“{value}” is not a time zone in the list, such as Europe/Madrid."
    assert form.errors == {"time_zone": [message]}
    html = response.content.decode()
    # The message next to the field (and linked from the summary at the top), the typed
    # value kept in the field to correct.
    error_list = html[html.index('id="id_time_zone_error"') :]
    assert error_list.index(message.replace("“", "“")) < error_list.index('name="time_zone"')
    assert 'href="#id_time_zone"' in html
    assert 'aria-invalid="true"' in html
    member.refresh_from_db()
    assert member.time_zone == ""


def test_the_model_refuses_an_unknown_zone(member):
    member.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as refused:
        member.full_clean()
    assert list(refused.value.error_dict) == ["time_zone"]


def test_the_choices_are_places_and_utc():
    names = [name for name, _label in time_zone_choices()]
    assert {"Europe/Madrid", "Asia/Kolkata", "America/New_York", "UTC"} <= set(names)
    assert not {"US/Eastern", "EST5EDT", "Etc/GMT+5", "localtime", "Factory"} & set(names)
    assert dict(time_zone_choices())["America/Argentina/Buenos_Aires"] == (
        "America/Argentina/Buenos Aires"
    )


def test_time_zone_is_in_the_data_map_and_the_export(member):
    member.time_zone = "Europe/Madrid"
    member.save()
    [notifications] = [section for section in DATA if section.key == "notifications"]
    assert "time_zone" in [item.key for item in notifications.items]
    archive = zipfile.ZipFile(io.BytesIO(services.member_export(member=member)))
    assert json.loads(archive.read("data.json"))["notifications"]["time_zone"] == "Europe/Madrid"
    assert "  time_zone: Time zone. " in archive.read("README.txt").decode()


def test_every_field_a_member_sets_on_me_is_in_the_data_map():
    from members.forms import NotificationsForm, ProfileForm

    mapped = {item.key for section in DATA for item in section.items}
    fields = set(NotificationsForm.Meta.fields) | set(ProfileForm.Meta.fields)
    # Who sees each part of the profile (<part>_shown_to) is one item, "shown_to".
    fields = {"shown_to" if name.endswith("_shown_to") else name for name in fields}
    assert fields <= mapped
