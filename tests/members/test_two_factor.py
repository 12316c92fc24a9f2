"""Two-factor sign-in (README "Two-factor sign-in"): the admin's gate, and logging in with an
authenticator app's codes and recovery codes, through allauth's real views and models.

The codes are computed from the secret by RFC 6238 in tests/twofactor.py, as a phone would.
"""

import io
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.utils import timezone

from groups.models import Role
from groups.permissions import organizers_group
from members import services
from tests.factories import EventFactory, MembershipFactory, UserFactory
from tests.twofactor import activate_totp, give_totp, recovery_codes, totp_code, totp_secret

SETUP = "/me/two-factor/admin/"
LOGIN = "/accounts/login/"
SECOND_STEP = "/accounts/2fa/authenticate/"


def _setup_url(next_url: str) -> str:
    return f"{SETUP}?{urlencode({'next': next_url})}"


@pytest.fixture
def bare_organizer(group):
    """An organizer as `create_organizer` or a role change leaves them: no second factor yet."""
    user = UserFactory(is_staff=True, second_factor=False, display_name="New Organizer")
    user.groups.add(organizers_group())
    MembershipFactory(group=group, user=user, role=Role.ORGANIZER)
    return user


def _admin_urls(group) -> list[str]:
    event = EventFactory()
    return [
        "/admin/",
        "/admin/events/event/",
        f"/admin/events/event/{event.pk}/change/",
        "/admin/events/event/add/",
        f"/admin/groups/group/{group.pk}/change/",
        "/admin/groups/membership/?status__exact=pending",
        "/admin/autocomplete/?app_label=events&model_name=event&field_name=series&term=a",
        "/admin/jsi18n/",
        "/admin/password_change/",
        "/admin/nothing/here/",
    ]


# --- The gate ----------------------------------------------------------------------------------


def test_admin_sends_organizer_without_second_factor_to_setup_page(client, group, bare_organizer):
    client.force_login(bare_organizer)
    for url in _admin_urls(group):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, _setup_url(url)), url
    response = client.post("/admin/events/event/add/", {"title": "Sneaked in"})
    assert response["Location"] == _setup_url("/admin/events/event/add/")


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.CO_ORGANIZER])
def test_admin_gate_holds_for_both_organizer_roles(client, group, role):
    user = UserFactory()
    membership = MembershipFactory(group=group, user=user, role=Role.MEMBER)
    from groups.services import membership_set_role

    organizer = MembershipFactory(group=group, role=Role.ORGANIZER).user
    membership_set_role(membership=membership, role=role, by=organizer)
    user.refresh_from_db()
    assert user.is_staff is True  # staff status follows the role (groups.services)
    client.force_login(user)
    assert client.get("/admin/")["Location"] == _setup_url("/admin/")
    give_totp(user)
    assert client.get("/admin/").status_code == 200


def test_admin_gate_holds_for_superusers(client, group):
    root = UserFactory(is_staff=True, is_superuser=True, second_factor=False)
    client.force_login(root)
    assert client.get("/admin/members/user/")["Location"] == _setup_url("/admin/members/user/")
    give_totp(root)
    assert client.get("/admin/members/user/").status_code == 200


def test_admin_opens_for_organizer_with_authenticator_app(client, group, organizer):
    client.force_login(organizer)
    event = EventFactory()
    for url in ("/admin/", "/admin/events/event/", f"/admin/events/event/{event.pk}/change/"):
        assert client.get(url).status_code == 200, url


def test_admin_opens_for_organizer_with_passkey_only(client, group, bare_organizer):
    Authenticator.objects.create(user=bare_organizer, type=Authenticator.Type.WEBAUTHN, data={})
    client.force_login(bare_organizer)
    assert client.get("/admin/").status_code == 200


def test_recovery_codes_alone_do_not_open_admin(client, group, bare_organizer):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(bare_organizer)
    client.force_login(bare_organizer)
    assert client.get("/admin/")["Location"] == _setup_url("/admin/")


def test_admin_gate_leaves_visitors_and_members_to_the_admin_itself(client, group, member):
    response = client.get("/admin/events/event/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")
    client.force_login(member)
    assert client.get("/admin/login/?next=/admin/").status_code == 403  # allauth: not staff
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    # The setup page is for people the admin waits for; a member goes to /me/'s card.
    assert client.get(SETUP)["Location"] == "/me/security/#two-factor"


def test_admin_logout_stays_open_without_second_factor(client, group, bare_organizer):
    client.force_login(bare_organizer)
    response = client.post("/admin/logout/")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_setup_page_explains_and_goes_on_to_the_admin_page_asked_for(client, group, bare_organizer):
    client.force_login(bare_organizer)
    asked = "/admin/events/event/?o=1"
    response = client.get(client.get(asked)["Location"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Set up two-factor sign-in to open the admin</h1>" in html
    assert 'href="/accounts/2fa/totp/activate/"' in html
    assert 'href="/accounts/2fa/webauthn/add/"' in html
    give_totp(bare_organizer)
    # Set up elsewhere (the app's pages know nothing of `next`): the session remembers it.
    assert client.get(SETUP)["Location"] == asked
    assert client.get(SETUP)["Location"] == "/admin/"


def test_setup_page_goes_only_to_admin_pages(client, group, bare_organizer):
    client.force_login(bare_organizer)
    give_totp(bare_organizer)
    for unsafe in ("https://evil.example/admin/", "//evil.example/admin/", "/me/", "/"):
        assert client.get(_setup_url(unsafe))["Location"] == "/admin/", unsafe


def test_setup_page_in_spanish(client, group, bare_organizer):
    bare_organizer.language = "es"
    bare_organizer.save()
    client.force_login(bare_organizer)
    html = client.get(SETUP).content.decode()
    assert "<h1>Activa el inicio de sesión en dos pasos para abrir la administración</h1>" in html


# --- Setting up an authenticator app, and logging in with it ----------------------------------


def _log_in_with_password(client, user, password):
    return client.post(LOGIN, {"login": user.email, "password": password})


def test_new_organizer_sets_up_app_then_admin_opens(client, group, bare_organizer, password):
    assert _log_in_with_password(client, bare_organizer, password)["Location"] == "/"
    assert client.get("/admin/")["Location"] == _setup_url("/admin/")
    client.get(_setup_url("/admin/groups/membership/"))
    secret = activate_totp(client, password)
    assert totp_secret(bare_organizer) == secret
    codes_page = client.get("/accounts/2fa/recovery-codes/").content.decode()
    codes = recovery_codes(bare_organizer)
    assert len(codes) == 10
    assert all(f"<code>{code}</code>" in codes_page for code in codes)
    assert f'href="{SETUP}"' in codes_page  # "Open the admin"
    assert client.get(SETUP)["Location"] == "/admin/groups/membership/"
    assert client.get("/admin/groups/membership/").status_code == 200


def test_login_asks_for_the_apps_code_after_the_password(client, group, organizer, password):
    secret = totp_secret(organizer)
    response = _log_in_with_password(client, organizer, password)
    assert response["Location"] == SECOND_STEP
    assert "_auth_user_id" not in client.session  # not signed in by the password alone
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    page = client.get(SECOND_STEP)
    assert "<h1>Two-factor sign-in</h1>" in page.content.decode()
    wrong = client.post(SECOND_STEP, {"code": totp_code(secret, step=5)})
    assert wrong.status_code == 200
    assert "Incorrect code." in wrong.content.decode()
    response = client.post(SECOND_STEP, {"code": totp_code(secret)})
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(organizer.pk)
    assert client.get("/admin/").status_code == 200


def test_each_app_code_works_once(client, group, organizer, password):
    secret = totp_secret(organizer)
    code = totp_code(secret)
    _log_in_with_password(client, organizer, password)
    assert client.post(SECOND_STEP, {"code": code})["Location"] == "/"
    client.post("/accounts/logout/")
    _log_in_with_password(client, organizer, password)
    replay = client.post(SECOND_STEP, {"code": code})
    assert "Incorrect code." in replay.content.decode()
    # The next step's code (a phone a little ahead) still works.
    assert client.post(SECOND_STEP, {"code": totp_code(secret, step=1)})["Location"] == "/"


def test_codes_two_steps_away_are_refused(client, group, organizer, password):
    secret = totp_secret(organizer)
    _log_in_with_password(client, organizer, password)
    for step in (-2, 2):
        response = client.post(SECOND_STEP, {"code": totp_code(secret, step=step)})
        assert "Incorrect code." in response.content.decode(), step
    assert "_auth_user_id" not in client.session


def test_recovery_code_logs_in_once(client, group, organizer, password):
    first, second = recovery_codes(organizer)[:2]
    _log_in_with_password(client, organizer, password)
    assert client.post(SECOND_STEP, {"code": first})["Location"] == "/"
    assert recovery_codes(organizer)[0] == second
    assert len(recovery_codes(organizer)) == 9
    client.post("/accounts/logout/")
    _log_in_with_password(client, organizer, password)
    again = client.post(SECOND_STEP, {"code": first})
    assert "Incorrect code." in again.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.post(SECOND_STEP, {"code": second})["Location"] == "/"


def test_wrong_codes_are_rate_limited(client, group, organizer, password):
    secret = totp_secret(organizer)
    _log_in_with_password(client, organizer, password)
    for _ in range(5):
        response = client.post(SECOND_STEP, {"code": totp_code(secret, step=7)})
        assert "Incorrect code." in response.content.decode()
    # allauth's login_failed limit (5 per account per 5 minutes): the right code waits too.
    response = client.post(SECOND_STEP, {"code": totp_code(secret)})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_turning_the_app_off_asks_to_confirm_it_is_you(client, group, member, password):
    _log_in_with_password(client, member, password)
    secret = activate_totp(client, password)
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        response = client.get("/accounts/2fa/totp/deactivate/")
        assert response["Location"].startswith("/accounts/reauthenticate/")
        page = client.get(response["Location"]).content.decode()
        assert "<h1>Confirm it's you</h1>" in page
        assert 'href="/accounts/2fa/reauthenticate/' in page  # or with a code from the app
        confirm = client.post(
            "/accounts/2fa/reauthenticate/?next=/accounts/2fa/totp/deactivate/",
            {"code": totp_code(secret, at=time_machine_now())},
        )
        assert confirm["Location"] == "/accounts/2fa/totp/deactivate/"
        assert client.post("/accounts/2fa/totp/deactivate/")["Location"] == "/accounts/2fa/"
    assert not Authenticator.objects.filter(user=member).exists()  # the codes went with it
    assert client.get("/accounts/2fa/")["Location"] == "/me/security/#two-factor"


def time_machine_now() -> float:
    """time.time() as the clock time_machine moved reads it."""
    import time

    return time.time()


# --- /me/ --------------------------------------------------------------------------------------


def test_account_page_shows_two_factor_state(client, group, member, organizer, password):
    client.force_login(member)
    html = client.get("/me/security/").content.decode()
    assert '<h2 id="two-factor-title">Two-factor sign-in</h2>' in html
    assert 'href="/accounts/2fa/totp/activate/"' in html
    assert "You organize this group" not in html
    give_totp(member)
    html = client.get("/me/security/").content.decode()
    assert 'href="/accounts/2fa/totp/deactivate/"' in html
    assert "10 unused codes" in html
    client.force_login(organizer)
    Authenticator.objects.filter(user=organizer).delete()
    html = client.get("/me/security/").content.decode()
    assert "You organize this group: the admin opens once two-factor sign-in is on." in html


# --- Your data ---------------------------------------------------------------------------------


def test_export_lists_factors_without_their_secrets(group, member):
    secret = give_totp(member)
    codes = recovery_codes(member)
    document = services._sections(member)
    assert [(f["type"], f["name"]) for f in document["two_factor"]] == [
        ("totp", "Authenticator app"),
        ("recovery_codes", "Recovery codes"),
    ]
    text = str(document)
    assert secret not in text
    assert not any(code in text for code in codes)


def test_account_deletion_deletes_the_authenticators(group, member):
    give_totp(member)
    services.member_delete(member=member)
    assert Authenticator.objects.count() == 0


# --- Operators ---------------------------------------------------------------------------------


def test_reset_two_factor_lets_organizer_in_by_password_then_gate_asks_again(
    client, group, organizer, password
):
    out = io.StringIO()
    call_command("reset_two_factor", organizer.email.upper(), stdout=out)
    assert out.getvalue().startswith(f"Removed from {organizer.email}: totp, recovery_codes.")
    assert not Authenticator.objects.filter(user=organizer).exists()
    assert _log_in_with_password(client, organizer, password)["Location"] == "/"
    assert client.get("/admin/")["Location"] == _setup_url("/admin/")
    out = io.StringIO()
    call_command("reset_two_factor", organizer.email, stdout=out)
    assert "had no second factor" in out.getvalue()
    with pytest.raises(CommandError, match="No account has the address"):
        call_command("reset_two_factor", "nobody@example.org", stdout=io.StringIO())


def test_demo_organizer_logs_in_with_the_printed_key(db, client, settings, tmp_path):
    from groups.demo import DEMO_ORGANIZER_EMAIL, DEMO_ORGANIZER_PASSWORD, DEMO_ORGANIZER_TOTP_KEY

    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert f"given the key {DEMO_ORGANIZER_TOTP_KEY}," in out.getvalue()
    printed = re.search(r"recovery codes \(each works once\): (\d+) (\d+) (\d+)", out.getvalue())
    response = client.post(
        LOGIN, {"login": DEMO_ORGANIZER_EMAIL, "password": DEMO_ORGANIZER_PASSWORD}
    )
    assert response["Location"] == SECOND_STEP
    assert client.post(SECOND_STEP, {"code": totp_code(DEMO_ORGANIZER_TOTP_KEY)})["Location"] == "/"
    assert client.get("/admin/").status_code == 200
    client.post("/accounts/logout/")
    client.post(LOGIN, {"login": DEMO_ORGANIZER_EMAIL, "password": DEMO_ORGANIZER_PASSWORD})
    assert client.post(SECOND_STEP, {"code": printed[1]})["Location"] == "/"
