"""A fake CAS server on loopback (CAS 2.0 /serviceValidate and 3.0 /p3/serviceValidate) and test people."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from engine.models import User
from engine.org.passwords import hash_once

CAS_NS = "http://www.yale.edu/tp/cas"


class FakeCas:
    """Issues tickets (`issue`) and answers validation requests the way a CAS server does: a ticket is good
    once, for the service it was issued for. `requests` lists (path, params) of every validation asked."""

    def __init__(self):
        self.tickets: dict[str, tuple[str, str, dict]] = {}
        self.requests: list[tuple[str, dict]] = []
        self.broken = False  # answer 500 with an HTML page, as a CAS server behind a failing proxy does
        self._count = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server protocol
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                fake.requests.append((parts.path, params))
                if parts.path == "/cas/login":  # the CAS login page a browser is sent to
                    return self._send(200, fake.login_page(params.get("service", "")), "text/html; charset=utf-8")
                if parts.path == "/cas/logout":
                    return self._send(200, "<html><body><p>CAS: logged out</p></body></html>", "text/html")
                if fake.broken:
                    return self._send(500, "<html><body>Bad Gateway</body></html>", "text/html")
                if parts.path not in ("/cas/serviceValidate", "/cas/p3/serviceValidate"):
                    return self._send(404, "not found", "text/plain")
                v3 = parts.path.startswith("/cas/p3/")
                return self._send(200, fake.answer(params.get("ticket", ""), params.get("service", ""), v3))

            def do_POST(self):  # noqa: N802 - the CAS login form: any known user name gets a ticket
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                service = form.get("service", "")
                ticket = fake.issue(service, form.get("username", ""))
                self.send_response(302)
                self.send_header("Location", service + ("&" if "?" in service else "?") + "ticket=" + ticket)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _send(self, status, body, content_type="application/xml; charset=utf-8"):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cas/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def login_page(self, service: str) -> str:
        return ('<html><body><h1>CAS</h1><form method="post" action="/cas/login">'
                f'<input type="hidden" name="service" value="{escape(service, {chr(34): "&quot;"})}">'
                '<input id="cas-username" name="username"><button type="submit">Sign in</button>'
                "</form></body></html>")  # fmt: skip

    def issue(self, service: str, user: str, attributes: dict | None = None) -> str:
        self._count += 1
        ticket = f"ST-{self._count}-fake"
        self.tickets[ticket] = (service, user, attributes or {})
        return ticket

    def answer(self, ticket: str, service: str, v3: bool) -> str:
        issued = self.tickets.pop(ticket, None)
        if issued is None or issued[0] != service:
            code = "INVALID_TICKET" if issued is None else "INVALID_SERVICE"
            failure = f'<cas:authenticationFailure code="{code}">Ticket {escape(ticket)} not recognized'
            return (
                f'<cas:serviceResponse xmlns:cas="{CAS_NS}">{failure}</cas:authenticationFailure></cas:serviceResponse>'
            )

        _service, user, attributes = issued
        attrs = ""
        if attributes and v3:  # CAS 2.0 releases no attributes
            attrs = "<cas:attributes>" + "".join(
                f"<cas:{k}>{escape(str(v))}</cas:{k}>" for k, v in attributes.items()
            ) + "</cas:attributes>"  # fmt: skip
        success = f"<cas:authenticationSuccess><cas:user>{escape(user)}</cas:user>{attrs}</cas:authenticationSuccess>"
        return f'<cas:serviceResponse xmlns:cas="{CAS_NS}">{success}</cas:serviceResponse>'

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def make_person(session, username: str, name: str, *, password: str = "local-pass-1", kind: str = "teacher",
                is_admin: bool = False, active: bool = True) -> User:  # fmt: skip
    user = User(username=username, display_name=name, password_hash=hash_once(password), kind=kind,
                is_admin=is_admin, active=active)  # fmt: skip
    session.add(user)
    session.flush()
    return user
