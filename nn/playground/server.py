"""The playground's local HTTP server: the standard library's `ThreadingHTTPServer`, polled.

Security (this is a server, and a web page elsewhere may try to talk to it):
- it listens on 127.0.0.1 only;
- every request carries the per-run random token (`?token=…` or the `X-Glassgrad-Token`
  header), compared in constant time;
- the `Host` header must name a loopback host and this port (a DNS-rebinding page sends its
  own host name);
- a state-changing request (POST) must come from this origin (its `Origin` header, when the
  client sends one, must be this server's) and carry a JSON body of at most `MAX_BODY` bytes;
- a wrong token, host or origin gets 403 and changes nothing; a bad parameter gets 400 naming
  it, and the state is untouched. Nothing from a request is executed or imported.

Routes (all need the token): `GET /` the page; `GET /api/state?have=V&data=D`;
`POST /api/config|live|point|weight|control` (JSON bodies, see `session.Playground`);
`GET /api/neuron?layer=L&neuron=J&point=I`; `GET /api/gradcheck?…` (same);
`GET /api/export?format=json|python`.
"""

from __future__ import annotations

import hmac
import html
import json
import secrets
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

import autograd

from .config import MAX_BODY, ParameterError
from .session import Playground

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
PAGE_SECURITY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; connect-src 'self'; frame-src 'self' about: data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def page() -> str:
    """The playground page: index.html with its CSS and JavaScript inlined (nothing else is
    fetched; the token is read by the script from the address bar)."""
    folder = resources.files(__package__) / "static"
    html = (folder / "index.html").read_text(encoding="utf-8")
    css = (folder / "playground.css").read_text(encoding="utf-8")
    script = (folder / "playground.js").read_text(encoding="utf-8")
    return html.replace("/*CSS*/", css).replace("/*JS*/", script)


class PlaygroundServer(ThreadingHTTPServer):
    """A `ThreadingHTTPServer` on 127.0.0.1 with one `Playground` and one token."""

    daemon_threads = True
    allow_reuse_address = False

    def __init__(
        self,
        port: int = 0,
        playground: Playground | None = None,
        token: str | None = None,
        verbose: bool = False,
    ) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.port = self.server_address[1]
        self.token = token or secrets.token_urlsafe(24)
        self.playground = playground or Playground()
        self.verbose = verbose
        self.page = page()
        self.hosts = {f"{name}:{self.port}" for name in LOOPBACK_NAMES}
        self.origins = {f"http://{name}:{self.port}" for name in LOOPBACK_NAMES}
        self._thread: threading.Thread | None = None

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A tab that went away mid-answer is normal; anything else is printed."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        """The address to open, token included."""
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def start(self) -> PlaygroundServer:
        """Serve and train in background threads (for tests and scripts); returns self."""
        self.playground.start()
        self._thread = threading.Thread(
            target=self.serve_forever, args=(0.05,), name="playground-server", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, stop the trainer, and release the port."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=5)
        self.playground.close()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    """One request: check host, token (and origin), then route."""

    server: PlaygroundServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle keep-alive connection (a closed tab) frees its thread
    server_version = "glassgrad-playground"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    # -- checks --------------------------------------------------------------------------------

    def _allowed(self, changes_state: bool) -> bool:
        """Host, token and (for POST) origin; answers 403 and returns False if any is wrong."""
        host = self.headers.get("Host", "")
        if host not in self.server.hosts:
            return self._refuse("the Host header must be 127.0.0.1 or localhost with this port")
        query = parse_qs(urlsplit(self.path).query)
        given = self.headers.get("X-Glassgrad-Token") or (query.get("token") or [""])[0]
        if not hmac.compare_digest(given.encode(), self.server.token.encode()):
            return self._refuse(
                "a wrong or missing token: open the address that `glassgrad playground` printed"
            )
        origin = self.headers.get("Origin")
        if changes_state and origin is not None and origin not in self.server.origins:
            return self._refuse("requests that change the state must come from this page")
        if self.headers.get("Sec-Fetch-Site") == "cross-site":
            return self._refuse("cross-site requests are not accepted")
        return True

    def _refuse(self, why: str) -> bool:
        self.close_connection = True  # an unread body must not be taken for the next request
        if self.command == "GET" and urlsplit(self.path).path == "/":
            text = (
                f"<!DOCTYPE html><meta charset='utf-8'><title>glassgrad playground</title>"
                f"<p>Forbidden: {html.escape(why)}.</p><p>A playground link works with the "
                f"server run that printed it: open the address your own "
                f"<code>glassgrad playground</code> printed and add the part of the link "
                f"after <code>#</code>.</p>"
            )
            self._send(
                text.encode(),
                "text/html; charset=utf-8",
                {"Content-Security-Policy": "default-src 'none'"},
                HTTPStatus.FORBIDDEN,
            )
        else:
            self._send_json({"error": f"forbidden: {why}"}, HTTPStatus.FORBIDDEN)
        return False

    # -- routing -------------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        if not self._allowed(changes_state=False):
            return
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        playground = self.server.playground
        try:
            if parts.path == "/":
                self._send(
                    self.server.page.encode(),
                    "text/html; charset=utf-8",
                    {"Content-Security-Policy": PAGE_SECURITY},
                )
            elif parts.path == "/api/state":
                self._send_json(playground.state(_int(query, "have", 0), query.get("data", "")))
            elif parts.path == "/api/neuron":
                info, root = playground.neuron(*_ints(query, "layer", "neuron", "point"))
                if query.get("graph", "1") != "0":
                    info["html"] = neuron_page(root, info["name"])
                self._send_json(info)
            elif parts.path == "/api/gradcheck":
                self._send_json(
                    playground.gradient_check(*_ints(query, "layer", "neuron", "point"))
                )
            elif parts.path == "/api/export":
                filename, text = playground.export(query.get("format", ""))
                kind = "application/json" if filename.endswith(".json") else "text/x-python"
                self._send(
                    text.encode(),
                    f"{kind}; charset=utf-8",
                    {"Content-Disposition": f'attachment; filename="{filename}"'},
                )
            else:
                self._send_json({"error": "not found"}, HTTPStatus.NOT_FOUND)
        except ParameterError as error:
            self._send_json(
                {"error": str(error), "parameter": error.parameter}, HTTPStatus.BAD_REQUEST
            )

    def do_POST(self) -> None:  # noqa: N802
        if not self._allowed(changes_state=True):
            return
        actions = {
            "/api/config": self.server.playground.configure,
            "/api/live": self.server.playground.live,
            "/api/point": self.server.playground.add_point,
            "/api/weight": self.server.playground.set_weight,
            "/api/control": self.server.playground.control,
        }
        action = actions.get(urlsplit(self.path).path)
        if action is None:
            self._discard_body()
            self._send_json({"error": "not found"}, HTTPStatus.NOT_FOUND)
            return
        body = self._json_body()
        if body is None:
            return
        try:
            action(body)
        except ParameterError as error:
            self._send_json(
                {"error": str(error), "parameter": error.parameter}, HTTPStatus.BAD_REQUEST
            )
            return
        self._send_json({"ok": True, "version": self.server.playground.version})

    def _other(self) -> None:
        self.close_connection = True
        self._send_json(
            {"error": "method not allowed"}, HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "GET, POST"}
        )

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _other  # noqa: N815

    # -- bodies --------------------------------------------------------------------------------

    def _json_body(self) -> dict[str, Any] | None:
        """The request's JSON object, or None after answering 4xx."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            self._send_json(
                {"error": "body: send a Content-Length, not chunks"}, HTTPStatus.LENGTH_REQUIRED
            )
            return None
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.close_connection = True
            self._send_json(
                {"error": "body: a Content-Length is required"}, HTTPStatus.LENGTH_REQUIRED
            )
            return None
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._send_json(
                {"error": f"body: at most {MAX_BODY} bytes"}, HTTPStatus.REQUEST_ENTITY_TOO_LARGE
            )
            return None
        raw = self.rfile.read(length)
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            self._send_json(
                {"error": "body: Content-Type must be application/json"},
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            )
            return None
        try:
            body = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            self._send_json(
                {"error": f"body: not valid JSON ({error})", "parameter": "body"},
                HTTPStatus.BAD_REQUEST,
            )
            return None
        if not isinstance(body, dict):
            self._send_json(
                {"error": "body: must be a JSON object", "parameter": "body"},
                HTTPStatus.BAD_REQUEST,
            )
            return None
        return body

    def _discard_body(self) -> None:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = 0
        if 0 < length <= MAX_BODY:
            self.rfile.read(length)
        else:
            self.close_connection = True

    def _send_json(
        self, data: Any, status: int = HTTPStatus.OK, headers: dict[str, str] | None = None
    ) -> None:
        text = json.dumps(data, allow_nan=False, separators=(",", ":"))
        self._send(text.encode(), "application/json", headers, status)

    def _send(
        self,
        body: bytes,
        kind: str,
        headers: dict[str, str] | None = None,
        status: int = HTTPStatus.OK,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def neuron_page(root: Any, name: str) -> str:
    """The neuron's scalar graph as one self-contained page: the interactive viewer, with its
    gradient-truth panel (analytic against central differences for every leaf)."""
    return autograd.view(root, check=True, title=f"neuron {name}", height=480).to_html()


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _int(query: dict[str, str], name: str, default: int) -> int:
    text = query.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise ParameterError(name, f"must be a whole number, got {text[:20]!r}") from None


def _ints(query: dict[str, str], *names: str) -> list[int]:
    values = []
    for name in names:
        if name not in query:
            raise ParameterError(name, "is missing")
        values.append(_int(query, name, 0))
    return values
