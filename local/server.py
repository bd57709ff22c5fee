"""The one local origin: pages at /, the API under /api/, runtime extras under /_local/."""

from __future__ import annotations

import json
import mimetypes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from local.authorizer import authorize
from local.functions import FunctionError
from local.gateway import MAX_PAYLOAD_BYTES
from local.runtime import LocalRuntime
from local.synth import ROOT
from pages.site import build as build_site
from pages.site import security_headers
from shared.links import SITE_API_PATHS
from shared.platform.names import STAFF_CONFIG_PATH


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent clients (the default of 5 resets them)

    def __init__(self, address: tuple[str, int], runtime: LocalRuntime,
                 quiet: bool = False) -> None:
        self.runtime = runtime
        self.quiet = quiet
        self.site = build_site(ROOT / ".build").resolve()  # the files S3 serves when deployed
        # As CloudFront's response headers policy (which overrides the origin's): on every
        # answer, page or API; the staff sign in at the emulator.
        self.security_headers = security_headers((runtime.emulator.endpoint,))
        super().__init__(address, Handler)


class Handler(BaseHTTPRequestHandler):
    server: LocalServer
    protocol_version = "HTTP/1.1"
    server_version = "leaders-local"

    def log_message(self, format: str, *args: Any) -> None:
        # Method, path without query (tokens live in queries) and status only.
        path = urlsplit(self.path).path
        if len(args) >= 2 and not self.server.quiet:
            print(f"{self.command} {path} {args[1]}", flush=True)

    def __getattr__(self, name: str) -> Any:
        # Every method reaches the gateway (do_GET, do_POST, … and TRACE or anything else a
        # client sends), which answers an unknown method as API Gateway does: an unknown route.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def _dispatch(self) -> None:
        path = urlsplit(self.path).path
        try:
            if path == "/api" or path.startswith("/api/") or \
                    any(path.startswith(p.rstrip("*")) for p in SITE_API_PATHS):
                self._api(path)
            elif path.startswith("/_local/"):
                self._local(path)
            else:
                self._page(path)
        except BrokenPipeError:
            pass

    # -- /api -------------------------------------------------------------------------------

    def _api(self, path: str) -> None:
        runtime = self.server.runtime
        declared = (self.headers.get("Content-Length") or "0").strip()
        if not declared.isdigit():  # "-1", "abc": refused before any function, as at the edge
            self.close_connection = True
            self._send(400, json.dumps({"message": "Bad Request"}).encode(), "application/json")
            return
        length = int(declared)
        if length > MAX_PAYLOAD_BYTES:
            status, body = runtime.gateway.gateway_response("REQUEST_TOO_LARGE", 413)
            self.close_connection = True
            self._send(status, body, "application/json")
            return
        body = self.rfile.read(length) if length else b""
        match = runtime.gateway.match(self.command, path)
        if match is None:
            status, data = runtime.gateway.gateway_response("MISSING_AUTHENTICATION_TOKEN", 403)
            self._send(status, data, "application/json")
            return
        headers = {k: v for k, v in self.headers.items()}
        event = runtime.gateway.event(match, self.command, self.path, headers, body,
                                      self.client_address[0])
        if not authorize(runtime.authorizers, match.route.authorizer, headers, event):
            status, data = runtime.gateway.gateway_response("UNAUTHORIZED", 401)
            self._send(status, data, "application/json")
            return
        try:
            result = runtime.functions[match.route.function].invoke(event)
        except FunctionError as exc:
            print(f"[api] {exc}", flush=True)
            self._send(502, b'{"message": "Internal server error"}', "application/json")
            return
        status, response_headers, data = runtime.gateway.response(result)
        self.send_response(status)
        self._send_security_headers()
        overridden = {name.lower() for name in self.server.security_headers}
        for name, value in response_headers:
            if name.lower() not in ("content-length", "connection", *overridden):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    # -- /_local ----------------------------------------------------------------------------

    def _local(self, path: str) -> None:
        runtime = self.server.runtime
        if path == "/_local/info" and self.command == "GET":
            self._json(200, runtime.info())
        elif path == "/_local/outbox" and self.command == "GET":
            self._json(200, runtime.outbox.messages())
        elif path.startswith("/_local/schedules/") and path.endswith("/fire") and \
                self.command == "POST":
            name = unquote(path[len("/_local/schedules/"):-len("/fire")])
            if runtime.clock is None or name not in runtime.clock.schedules:
                self._json(404, {"code": "unknown_schedule", "message": name})
                return
            try:
                runtime.fire_schedule(name)
            except FunctionError as exc:
                self._json(502, {"code": "function_error", "message": str(exc)})
                return
            self._json(200, {"fired": name})
        elif path == "/_local/settle" and self.command == "POST":
            # Tests and scripts wait here instead of sleeping: until every consumer is idle.
            if runtime.settle():
                self._json(200, {"settled": True})
            else:
                self._json(504, {"code": "busy", "message": "The consumers are still working."})
        elif path == "/_local/ses-events" and self.command == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
                kind, address = body["type"], body["email"]
                if kind not in ("Bounce", "Complaint"):
                    raise ValueError(kind)
            except (ValueError, KeyError, TypeError):
                self._json(400, {"code": "invalid", "message":
                                 'Send {"type": "Bounce"|"Complaint", "email": …, "issue"?}'})
                return
            published = runtime.inject_ses_event(kind, address, body.get("issue"),
                                                 body.get("bounceType", "Permanent"))
            self._json(202, {"published": published})
        else:
            self._json(404, {"code": "not_found", "message": path})

    # -- pages ------------------------------------------------------------------------------

    def _page(self, path: str) -> None:
        if self.command not in ("GET", "HEAD"):
            self._send(405, b"Method Not Allowed", "text/plain; charset=utf-8")
            return
        relative = unquote(path).lstrip("/") or "index.html"
        config = self.server.runtime.staff_config()
        if relative == STAFF_CONFIG_PATH and config is not None:
            self._json(200, config)  # deployed: written by the pages' deployment
            return
        site = self.server.site
        # A name no file can have (a NUL byte, as in /%00) is a page that does not exist.
        target = site / "404" if "\x00" in relative else (site / relative).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(site) or not target.is_file():
            missing = site / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"Siden findes ikke."
            self._send(404, body, "text/html; charset=utf-8")
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "text/javascript"):
            kind += "; charset=utf-8"
        self._send(200, target.read_bytes(), kind)

    # -- helpers ----------------------------------------------------------------------------

    def _json(self, status: int, body: Any) -> None:
        self._send(status, json.dumps(body, ensure_ascii=False).encode("utf-8"),
                   "application/json; charset=utf-8")

    def _send_security_headers(self) -> None:
        for name, value in self.server.security_headers.items():
            self.send_header(name, value)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self._send_security_headers()
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
