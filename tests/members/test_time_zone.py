"""A member's own time zone: chosen on /me/ next to the language, kept in the export."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from members import services
from members.data import DATA
from members.models import time_zone_choices

pytestmark = pytest.mark.django_db


def _notifications(**changes) -> dict:
    return {"form": "notifications", "notify_new_events": "on", "language": "", **changes}


def test_time_zone_is_on_the_me_page_after_the_language(client, member):
    client.force_login(member)
    with translation.override("en"):
        html = client.get("/me/").content.decode()
    assert html.index('name="language"') < html.index('name="time_zone"')
    assert '<option value="" selected>The group&#x27;s time zone</option>' in html
    assert '<option value="Europe/Madrid">Europe/Madrid</option>' in html
    assert '<option value="America/Argentina/Buenos_Aires">' in html
    assert "Every time is also shown in this zone, beside the group" in html


def test_time_zone_is_saved_and_emptied(client, member):
    client.force_login(member)
    response = client.post("/me/", _notifications(time_zone="Asia/Kolkata"))
    assert (response.status_code, response["Location"]) == (302, "/me/")
    member.refresh_from_db()
    assert member.time_zone == "Asia/Kolkata"
    client.post("/me/", _notifications(time_zone=""))
    member.refresh_from_db()
    assert member.time_zone == ""


@pytest.mark.parametrize("value", ["Mars/Olympus_Mons", "US/Eastern", "localtime", "x" * 100])
def test_a_bad_time_zone_is_refused_next_to_the_field(client, member, value):
    client.force_login(member)
    with translation.override("en"):
        response = client.post("/me/", _notifications(time_zone=value))
    assert response.status_code == 400
    form = response.context["notifications_form"]
    assert form.errors == {
        "time_zone": [f"“{value}” is not a time zone in the list, such as Europe/Madrid."]
    }
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
    assert fields <= mapped
