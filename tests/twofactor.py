"""Second factors for the tests: real allauth authenticators, and TOTP codes computed here from
the secret by RFC 6238 (HMAC-SHA1, 30-second steps, six digits), as a phone's app would."""

import base64
import hashlib
import hmac
import re
import struct
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret


def totp_code(secret: str, *, step: int = 0, at: float | None = None) -> str:
    """The code an authenticator app shows for `secret` now (or at `at`), `step` periods on.

    Potluck accepts one step either side (MFA_TOTP_TOLERANCE) and each code once, so a test
    that signs in twice within 30 seconds uses step=-1, 0 and 1."""
    counter = int((time.time() if at is None else at) // 30) + step
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


_used: set[tuple[str, int]] = set()


def fresh_totp_code(secret: str) -> str:
    """A code the site has not seen yet: each works once, so a test that signs in again takes
    the next one allowed (one step either side), or waits for the next period."""
    while True:
        now = int(time.time() // 30)
        for step in (0, 1, -1):
            if (secret, now + step) not in _used:
                _used.add((secret, now + step))
                return totp_code(secret, step=step)
        time.sleep(30 - time.time() % 30 + 0.1)


def give_totp(user) -> str:
    """An authenticator app for `user`, with recovery codes, as setting it up on /me/ leaves
    them; returns the secret the app would hold."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def totp_secret(user) -> str:
    """The secret of `user`'s authenticator app (stored as allauth stores it, unencrypted)."""
    return Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]


def recovery_codes(user) -> list[str]:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return authenticator.wrap().get_unused_codes()


def activate_totp(client, password) -> str:
    """Sets up the app with Django's test client as a member does from /me/: confirms it is
    them (allauth asks for the password again, even right after logging in), reads the key
    from the page, types a wrong code and then the right one."""
    activate = "/accounts/2fa/totp/activate/"
    confirm = client.get(activate)["Location"]
    assert confirm == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    assert "<h1>Confirm it's you</h1>" in client.get(confirm).content.decode()
    assert client.post(confirm, {"password": password})["Location"] == activate
    response = client.get(activate)
    assert response.status_code == 200
    html = response.content.decode()
    secret = re.search(r'id="authenticator-key" class="secret-key" value="([A-Z2-7]+)"', html)[1]
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code, drawn by the server
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    return secret
