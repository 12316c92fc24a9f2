"""A small HTTP client for the production suite: it plays the TLS-terminating proxy.

Every request carries X-Forwarded-Proto: https and the client's own X-Forwarded-For, comes
from 127.0.0.1 (the one address in FORWARDED_ALLOW_IPS) and names the public host. Cookies
are kept by hand: production marks them Secure, and a stock cookie jar would not send them
back over the plain http:// connection to gunicorn. One client can talk to several servers,
as a browser behind one load balancer would.
"""

import http.client
import json
import secrets
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

PUBLIC_HOST = "potluck.test"
PUBLIC_ORIGIN = f"https://{PUBLIC_HOST}"
TIMEOUT = 30  # seconds, per request


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes
    path: str
    history: list["Response"] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip()

    def json(self):
        return json.loads(self.body)

    def page(self) -> "Page":
        return Page.parse(self.text)


_used_ips: set[str] = set()


def _unique_ip() -> str:
    for _attempt in range(1000):
        candidate = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
        if candidate not in _used_ips:
            _used_ips.add(candidate)
            return candidate
    raise RuntimeError("no unused client address left")


def encode_multipart(
    fields: list[tuple[str, str]], files: list[tuple[str, str, str, bytes]]
) -> tuple[bytes, str]:
    boundary = "potluck" + secrets.token_hex(16)
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode()
            + b"\r\n"
        )
    for name, filename, content_type, content in files:
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Client:
    """Cookies, a client address and the proxy's headers; requests go to a named server."""

    def __init__(self, *, client_ip: str | None = None):
        self.client_ip = client_ip or _unique_ip()
        self.cookies: dict[str, str] = {}

    def _store_cookies(self, headers: Message) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                expired = morsel["max-age"] == "0" or "1970" in (morsel["expires"] or "")
                if expired or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def request(
        self,
        server,
        method: str,
        path: str,
        *,
        data: dict | list | None = None,
        files: list[tuple[str, str, str, bytes]] | None = None,
        headers: dict[str, str] | None = None,
        follow: bool = False,
    ) -> Response:
        history: list[Response] = []
        for _hop in range(6):
            response = self._once(server, method, path, data=data, files=files, headers=headers)
            if not follow or response.status not in (301, 302, 303, 307, 308):
                response.history = history
                return response
            history.append(response)
            location = urlsplit(response.headers["Location"])
            path = location.path + (f"?{location.query}" if location.query else "")
            method, data, files = "GET", None, None
        raise AssertionError(f"more than 5 redirects from {path}")

    def _once(self, server, method, path, *, data, files, headers) -> Response:
        sent = {
            "Host": PUBLIC_HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.client_ip,
            "User-Agent": "potluck-production-suite",
        }
        body = None
        if method == "POST":
            # What a browser on the public origin sends; Django checks it over https.
            sent["Origin"] = PUBLIC_ORIGIN
            sent["Referer"] = PUBLIC_ORIGIN + path
            pairs = list(data.items()) if isinstance(data, dict) else list(data or [])
            if "csrftoken" in self.cookies and not any(
                k == "csrfmiddlewaretoken" for k, _ in pairs
            ):
                pairs.append(("csrfmiddlewaretoken", self.cookies["csrftoken"]))
            if files:
                body, sent["Content-Type"] = encode_multipart(pairs, files)
            else:
                body = urlencode(pairs).encode()
                sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        connection = http.client.HTTPConnection(
            server.host, server.port, timeout=TIMEOUT, source_address=("127.0.0.1", 0)
        )
        try:
            connection.request(method, path, body=body, headers=sent)
            raw = connection.getresponse()
            payload = raw.read()
            response = Response(raw.status, raw.headers, payload, path)
        finally:
            connection.close()
        self._store_cookies(response.headers)
        return response

    def get(self, server, path, **kwargs) -> Response:
        return self.request(server, "GET", path, **kwargs)

    def post(self, server, path, data=None, **kwargs) -> Response:
        return self.request(server, "POST", path, data=data, **kwargs)

    def login(self, server, email: str, password: str) -> Response:
        """allauth's login form, as a person fills it in."""
        self.get(server, "/accounts/login/")
        return self.post(server, "/accounts/login/", {"login": email, "password": password})


# --- HTML -------------------------------------------------------------------------------------


@dataclass
class Form:
    attrs: dict
    # (tag, attrs, value) in document order; value is the textarea text or the chosen options.
    controls: list[tuple[str, dict, object]] = field(default_factory=list)

    def data(self, submit: str | None = None) -> list[tuple[str, str]]:
        """The pairs a browser would send for this form, before any change."""
        pairs: list[tuple[str, str]] = []
        for tag, attrs, value in self.controls:
            name = attrs.get("name")
            if not name or "disabled" in attrs:
                continue
            if tag == "textarea":
                pairs.append((name, value.removeprefix("\n")))
            elif tag == "select":
                options = value
                chosen = [v for v, selected in options if selected]
                if not chosen and options and "multiple" not in attrs:
                    chosen = [options[0][0]]
                pairs.extend((name, v) for v in chosen)
            else:
                kind = attrs.get("type", "text").lower()
                if kind in ("checkbox", "radio"):
                    if "checked" in attrs:
                        pairs.append((name, attrs.get("value", "on")))
                elif kind in ("submit", "button", "image", "reset", "file"):
                    if kind == "submit" and name == submit:
                        pairs.append((name, attrs.get("value", "")))
                else:
                    pairs.append((name, attrs.get("value", "")))
        return pairs


class Page(HTMLParser):
    """Forms, images, picture sources, stylesheets, scripts and links of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.images: list[str] = []
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []
        self.icons: list[str] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._textarea: list | None = None
        self._select: list | None = None
        self._option: list | None = None

    @classmethod
    def parse(cls, html: str) -> "Page":
        page = cls()
        page.feed(html)
        page.close()
        return page

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(attrs)
            self.forms.append(self._form)
        elif tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])
            self.images.extend(_srcset(attrs.get("srcset", "")))
        elif tag == "source" and attrs.get("srcset"):
            self.images.extend(_srcset(attrs["srcset"]))
        elif tag == "link" and attrs.get("href"):
            rel = attrs.get("rel", "").lower().split()
            if "stylesheet" in rel:
                self.stylesheets.append(attrs["href"])
            if "icon" in rel:
                self.icons.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif self._form is not None and tag in ("input", "button"):
            if tag == "button":
                attrs.setdefault("type", "submit")
            self._form.controls.append(("input", attrs, None))
        elif self._form is not None and tag == "textarea":
            self._textarea = []
            self._form.controls.append(("textarea", attrs, self._textarea))
        elif self._form is not None and tag == "select":
            self._select = []
            self._form.controls.append(("select", attrs, self._select))
        elif self._select is not None and tag == "option":
            self._option = [attrs.get("value"), "selected" in attrs, []]
            self._select.append(self._option)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.append(data)
        if self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            self._finish_textarea()
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            self._finish_select()

    def _finish_textarea(self):
        form = self.forms[-1]
        tag, attrs, parts = form.controls[-1]
        form.controls[-1] = (tag, attrs, "".join(parts))
        self._textarea = None

    def _finish_select(self):
        form = self.forms[-1]
        for index in range(len(form.controls) - 1, -1, -1):
            tag, attrs, options = form.controls[index]
            if tag == "select" and options is self._select:
                resolved = [
                    (value if value is not None else "".join(text).strip(), selected)
                    for value, selected, text in options
                ]
                form.controls[index] = (tag, attrs, resolved)
                break
        self._select = None
        self._option = None

    def form(self, **match) -> Form:
        """The one form whose attributes include every given pair (action, id, …)."""
        found = [f for f in self.forms if all(f.attrs.get(k) == v for k, v in match.items())]
        assert len(found) == 1, f"{len(found)} forms match {match}: {[f.attrs for f in self.forms]}"
        return found[0]


def _srcset(value: str) -> list[str]:
    return [item.strip().split()[0] for item in value.split(",") if item.strip()]


def replace(pairs: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The pairs with each named field set to one value (added when missing)."""
    kept = [(k, v) for k, v in pairs if k not in values]
    return kept + list(values.items())
