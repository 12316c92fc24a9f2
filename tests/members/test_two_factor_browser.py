"""Two-factor sign-in in Chromium: an organizer meets the admin's gate and sets up an app from
the key on the page, codes computed from it (RFC 6238, tests/twofactor.py); a member adds a
passkey to a CDP virtual authenticator and logs in with it, alone and as the second step. Every
new page passes axe-core, on a phone (390 px, no sideways scroll), in English and Spanish.
"""

import re
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from groups.models import Role
from groups.permissions import organizers_group
from tests.browser import axe_violations, log_in, third_party_requests
from tests.factories import MembershipFactory, UserFactory
from tests.twofactor import fresh_totp_code, recovery_codes, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}}


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _path(page) -> str:
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _check(page) -> None:
    assert axe_violations(page) == [], page.url
    assert _fits_the_phone(page), page.url


def _new_organizer(group):
    user = UserFactory(display_name="Nia Organizer", email="nia@example.org")
    user.groups.add(organizers_group())
    user.is_staff = True
    user.save()
    MembershipFactory(group=group, user=user, role=Role.ORGANIZER)
    return user


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            {
                "gate": "Set up two-factor sign-in to open the admin",
                "app": "Set up an authenticator app",
                "password": "Password",
                "confirm": "Confirm",
                "code": "Authenticator code",
                "turn_on": "Turn on two-factor sign-in",
                "codes": "Recovery codes",
                "admin": "Open the admin",
            },
        ),
        (
            "es",
            {
                "gate": "Activa el inicio de sesión en dos pasos para abrir la administración",
                "app": "Configurar una aplicación de autenticación",
                "password": "Contraseña",
                "confirm": "Confirmar",
                "code": "Código del autenticador",
                "turn_on": "Activar el inicio de sesión en dos pasos",
                "codes": "Códigos de recuperación",
                "admin": "Abrir la administración",
            },
        ),
    ],
)
def test_new_organizer_sets_up_app_on_phone_then_admin_opens(
    open_tab, live_server, group, password, language, words
):
    organizer = _new_organizer(group)
    organizer.language = language
    organizer.save()
    page = open_tab(**PHONE)
    log_in(page, organizer.email, password)
    page.goto("/admin/events/event/")

    assert _path(page) == "/me/two-factor/admin/?next=%2Fadmin%2Fevents%2Fevent%2F"
    expect(page.get_by_role("heading", level=1)).to_have_text(words["gate"])
    _check(page)
    page.get_by_role("link", name=words["app"]).click()

    # allauth asks for the password again before any change to two-factor sign-in.
    assert _path(page).startswith("/accounts/reauthenticate/")
    _check(page)
    page.get_by_label(words["password"], exact=True).fill(password)
    page.get_by_role("button", name=words["confirm"], exact=True).click()

    assert _path(page) == "/accounts/2fa/totp/activate/"
    expect(page.get_by_role("heading", level=1)).to_have_text(words["app"])
    qr = page.locator("img.qr-code")
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;base64,"))
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
    _check(page)
    secret = page.locator("#authenticator-key").input_value()
    page.get_by_label(words["code"], exact=True).fill(totp_code(secret))
    page.get_by_role("button", name=words["turn_on"]).click()

    assert _path(page) == "/accounts/2fa/recovery-codes/"
    expect(page.get_by_role("heading", level=1)).to_have_text(words["codes"])
    expect(page.locator(".recovery-codes code")).to_have_text(recovery_codes(organizer))
    _check(page)
    page.get_by_role("link", name=words["admin"]).click()

    assert _path(page) == "/admin/events/event/"
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []


def test_app_code_and_recovery_code_log_in_in_browser(open_tab, live_server, organizer, password):
    page = open_tab(**PHONE)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(organizer.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    assert _path(page) == "/accounts/2fa/authenticate/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    _check(page)
    secret = Authenticator.objects.get(user=organizer, type="totp").data["secret"]
    page.get_by_label("Code", exact=True).fill(totp_code(secret, step=5))  # 2.5 minutes off
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.locator(".form-errors")).to_contain_text("Incorrect code.")
    _check(page)
    code = recovery_codes(organizer)[0]
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Log in", exact=True).click()
    assert _path(page) == "/"
    page.goto("/admin/")
    assert _path(page) == "/admin/"
    assert code not in recovery_codes(organizer)
    assert page.console_errors == []


def _virtual_authenticator(page):
    """A platform authenticator that keeps passkeys and verifies the user (Chrome DevTools)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def _log_out(page) -> None:
    page.locator("header details.menu > summary").click()  # the phone's menu
    page.locator("header").get_by_role("button", name="Log out").click()
    page.wait_for_load_state()


def test_passkey_added_then_logs_in_alone_and_as_second_step(
    open_tab, live_server, group, password
):
    member = MembershipFactory(group=group, user=UserFactory(email="ada@example.org")).user
    page = open_tab(**PHONE)
    cdp, authenticator_id = _virtual_authenticator(page)
    log_in(page, member.email, password)

    page.goto("/me/security/")
    _check(page)
    page.locator("#two-factor").get_by_role("link", name="Add a passkey").click()
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Confirm", exact=True).click()

    assert _path(page) == "/accounts/2fa/webauthn/add/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a passkey")
    expect(page.get_by_role("button", name="Create the passkey")).to_be_visible()
    _check(page)
    page.get_by_label("Name of the passkey").fill("My phone")
    page.get_by_label("Also log in with it alone, without a password").check()
    page.get_by_role("button", name="Create the passkey").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")

    (passkey,) = Authenticator.objects.filter(user=member, type=Authenticator.Type.WEBAUTHN)
    assert (str(passkey), passkey.wrap().is_passwordless) == ("My phone", True)
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert [c["isResidentCredential"] for c in credentials["credentials"]] == [True]
    page.goto("/accounts/2fa/webauthn/")
    expect(page.locator(".factor-items strong")).to_have_text(["My phone"])
    _check(page)
    for link, heading in (("Rename", "Rename a passkey"), ("Remove", "Remove a passkey")):
        page.get_by_role("link", name=f"{link} My phone").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        _check(page)
        page.go_back()

    # Alone: "Log in with a passkey" on the login page, no password.
    _log_out(page)
    page.goto("/accounts/login/")
    _check(page)
    page.get_by_role("button", name="Log in with a passkey").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator('header form[action="/accounts/logout/"]')).to_have_count(1)

    # As the second step after the password.
    _log_out(page)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    assert _path(page) == "/accounts/2fa/authenticate/"
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(f"{live_server.url}/")
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []


def test_spanish_second_step_and_account_card(open_tab, live_server, organizer, password):
    organizer.language = "es"
    organizer.save()
    page = open_tab(**PHONE, locale="es")  # the browser asks for Spanish
    page.goto("/accounts/login/")
    page.get_by_label("Correo electrónico").fill(organizer.email)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Iniciar sesión", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inicio de sesión en dos pasos")
    _check(page)
    secret = Authenticator.objects.get(user=organizer, type="totp").data["secret"]
    page.get_by_label("Código", exact=True).fill(fresh_totp_code(secret))
    page.get_by_role("button", name="Iniciar sesión", exact=True).click()
    page.goto("/me/security/")
    card = page.locator("#two-factor")
    expect(card.get_by_role("heading", level=2)).to_have_text("Inicio de sesión en dos pasos")
    expect(card.get_by_role("link", name="Desactivar la aplicación")).to_be_visible()
    _check(page)
    assert page.console_errors == []


@pytest.mark.parametrize(
    ("language", "headings"),
    [
        (
            "en",
            {
                "/accounts/2fa/totp/deactivate/": "Turn off the authenticator app",
                "/accounts/2fa/recovery-codes/generate/": "Make new recovery codes",
                "/accounts/2fa/reauthenticate/": "Confirm it's you",
            },
        ),
        ("es", {}),
    ],
)
def test_the_other_two_factor_pages_pass_axe_on_a_phone(
    open_tab, live_server, organizer, password, language, headings
):
    """The pages not on the way above: turning the app off, new recovery codes, and asking for
    the code again before a change (each opened, none submitted)."""
    organizer.language = language
    organizer.save()
    page = open_tab(**PHONE)
    log_in(page, organizer.email, password)
    # allauth asks for the password again first (its reauthentication page, checked too).
    page.goto("/accounts/2fa/totp/deactivate/")
    assert _path(page).startswith("/accounts/reauthenticate/")
    _check(page)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/accounts/2fa/totp/deactivate/")
    for path in (
        "/accounts/2fa/totp/deactivate/",
        "/accounts/2fa/recovery-codes/generate/",
        "/accounts/2fa/reauthenticate/",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        assert _path(page) == path
        assert page.locator("html").get_attribute("lang") == language
        if path in headings:
            expect(page.get_by_role("heading", level=1)).to_have_text(headings[path])
        _check(page)
    assert third_party_requests(page, live_server.url) == []
    assert page.console_errors == []
