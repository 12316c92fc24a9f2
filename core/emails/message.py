"""Building one email: in the recipient's language and time zone, with the group's List-Id and,
for kinds a member can turn off, the one-click unsubscribe (RFC 2369, 8058).

Subjects and plain-text bodies are rendered with autoescape off (plain text, never HTML
entities); the HTML part is escaped as any template.
"""

import re
from email.header import Header
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation

from ..models import Email, site_host
from .kinds import EmailKind, kinds

UNSUBSCRIBE_SALT = "potluck.unsubscribe"
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 180  # half a year


# --- Signed unsubscribe links, which work without logging in -----------------------------------


def unsubscribe_token(user, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": str(kind)}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, EmailKind]:
    """(user pk, kind); raises signing.BadSignature (tampered, or a kind nobody can turn off)
    or SignatureExpired."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    kind = kinds.get(data.get("k", ""))
    if kind is None or kind.preference is None:
        raise signing.BadSignature("unknown kind")
    return int(data["u"]), kind


def unsubscribe_url(user, kind: str) -> str:
    return settings.SITE_URL + reverse("email_unsubscribe", args=[unsubscribe_token(user, kind)])


# --- Headers -----------------------------------------------------------------------------------


class AsciiHeader(str):
    """A header value sent exactly as given: ASCII, folded only at its spaces, never encoded.

    Python's email policies (Django 6.1 builds messages with email.policy.default, its SMTP
    backend with email.policy.SMTP) fold an unstructured header whose one word does not fit
    in 78 characters, such as a long unsubscribe URL, into RFC 2047 encoded words
    (=?utf-8?q?...?=), which List-Unsubscribe readers (RFC 2369, 8058) do not decode. A value
    with a matching `name` and a `fold()` method is a header object to the policy
    (EmailPolicy.header_store_parse), so it is written the way fold() below says.
    """

    name: str

    def __new__(cls, name: str, value: str):
        value = str(value)
        value.encode("ascii")  # UnicodeEncodeError: these headers must be ASCII
        if re.search(r"[\x00-\x1f\x7f]", value):
            raise ValueError(f"{name} must be one line of printable ASCII")
        header = super().__new__(cls, value)
        header.name = name
        return header

    def __getnewargs__(self):  # copies (the locmem backend keeps a deep copy) and pickles
        return (self.name, str(self))

    def fold(self, *, policy) -> str:
        """RFC 5322 folding at whitespace only; a longer word stays whole (up to 998)."""
        limit = policy.max_line_length or 998
        words = self.split()
        lines = [f"{self.name}: {words[0]}" if words else f"{self.name}:"]
        for word in words[1:]:
            if len(lines[-1]) + 1 + len(word) <= limit:
                lines[-1] += f" {word}"
            else:
                lines.append(f" {word}")
        return policy.linesep.join(lines) + policy.linesep


_ATEXT_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+")


def list_id(group) -> str:
    """RFC 2919: "Group name <slug.site-host>"; an IP address or no host means "localhost"."""
    name = " ".join(group.name.split())
    if not name.isascii():
        # RFC 2047 allows encoded words in a phrase; the identifier itself stays plain.
        phrase = " ".join(Header(name, "utf-8").encode().split())
    elif _ATEXT_PHRASE.fullmatch(name):
        phrase = name
    else:
        phrase = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{phrase} <{group.slug.lower()}.{site_host()}>"


# --- Rendering ---------------------------------------------------------------------------------


def render_plain(template_name: str, context: dict) -> str:
    """Renders a subject or plain-text body with autoescape off: "we're", not "we&#x27;re"."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def reader_zone(user) -> ZoneInfo | None:
    """The zone a member chose on /me/ (members.User.time_zone); None for everyone else."""
    name = getattr(user, "time_zone", "") if user is not None else ""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None  # a name the validator would refuse (set outside the forms): ignored


def language_of(user) -> str:
    """The language of every email to the member (chosen on /me/ or with the footer's switch)."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def render(
    *, kind: EmailKind | str, recipient, params: dict, address: str = "", message_id: str = ""
) -> EmailMultiAlternatives | None:
    """The email of this kind to this member, built from params in their language; None when
    the kind's context builder says it is no longer due."""
    kind = kinds.get(kind) if isinstance(kind, str) else kind
    if kind is None or kind.context is None:
        raise LookupError("not a registered kind rendered from parameters")
    headers = {}
    with translation.override(language_of(recipient)):
        extra = kind.context(params, recipient)
        if extra is None:
            return None
        context = {
            "user": recipient,
            "site_url": settings.SITE_URL,
            # Times in the recipient's own zone beside the group's, if they chose one on /me/
            # (events/templatetags/events.py); None: the group's alone.
            "reader_zone": reader_zone(recipient),
            **extra,
        }
        group = context.get("group")
        if group is not None:
            headers["List-Id"] = AsciiHeader("List-Id", list_id(group))
        if kind.preference is not None:
            link = unsubscribe_url(recipient, kind.name)
            context["unsubscribe_url"] = link
            headers["List-Unsubscribe"] = AsciiHeader("List-Unsubscribe", f"<{link}>")
            headers["List-Unsubscribe-Post"] = AsciiHeader(
                "List-Unsubscribe-Post", "List-Unsubscribe=One-Click"
            )
        prefix = kind.template_prefix
        subject = " ".join(render_plain(f"{prefix}_subject.txt", context).split())
        text = render_plain(f"{prefix}.txt", context)
        html = render_to_string(f"{prefix}.html", context) if kind.html else ""
    if message_id:
        headers["Message-ID"] = message_id
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address or recipient.email],
        headers=headers,
    )
    if html:
        message.attach_alternative(html, "text/html")
    if kind.attachments is not None:
        for filename, content, mimetype in kind.attachments(params, context):
            message.attach(filename, content, mimetype)
    return message


def from_row(row: Email) -> EmailMultiAlternatives:
    """A message someone else rendered (allauth, the contact form), as it was queued."""
    headers = dict(row.headers)
    reply_to = headers.pop("Reply-To", None)
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.address],
        reply_to=[reply_to] if reply_to else None,
        headers={**headers, "Message-ID": row.message_id},
    )
    if row.html:
        message.attach_alternative(row.html, "text/html")
    return message
