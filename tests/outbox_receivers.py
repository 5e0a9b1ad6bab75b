"""Real receivers for the outbox's tests: an SMTP server (aiosmtpd) and an HTTP endpoint that
answers like an SMS gateway, each keeping what it received for the test to read."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class SmtpServer:
    """aiosmtpd on a free local port. ``refuse`` lists recipients answered 550 (for good),
    ``busy`` recipients answered 451 (try later)."""

    def __init__(self):
        self.received: list[Received] = []
        self.refuse: set[str] = set()
        self.busy: set[str] = set()
        self._lock = threading.Lock()
        self.port = free_port()
        self._controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 no such mailbox"
        if address.lower() in self.busy:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def start(self) -> SmtpServer:
        """Start listening (again, after ``stop``: on the same port)."""
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings(self) -> dict:
        return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port}


@dataclass
class GatewayRequest:
    path: str
    headers: dict
    body: dict


@dataclass
class SmsReceiver:
    """An HTTP server on a free local port that records each POST and answers ``reply`` (a
    status and a JSON body), by default eSMS's "accepted"."""

    reply: tuple[int, dict] = (200, {"CodeResult": "100", "SMSID": "test"})
    requests: list[GatewayRequest] = field(default_factory=list)

    def start(self) -> SmsReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(GatewayRequest(self.path, dict(self.headers), json.loads(body)))
                status, reply = receiver.reply
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/MainService.svc/json/SendMultipleMessage_V4_post_json/"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
