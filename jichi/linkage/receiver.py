"""A reference webhook receiver: what a subscribing system has to do, in a page of code.

It checks the signature, takes single events and batches, applies each event
id once (at-least-once delivery means the same event may come again) and
keeps, per subject, the order it applied them in. ``jichi webhook-receiver``
runs it to try a subscription out; the tests and benchmarks use it as the
other system.

``answer`` decides the HTTP status of each request from its events before
anything is applied (200 applies them), which is how a receiver that is down
or refuses an event is played.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from jichi.linkage import signing


@dataclass
class Received:
    """What the receiver saw and applied."""

    requests: int = 0
    refused_signatures: int = 0
    duplicates: int = 0
    applied: list[dict] = field(default_factory=list)  # events in the order applied
    seen: set[str] = field(default_factory=set)
    arrival: dict[str, float] = field(default_factory=dict)  # event id -> time.time()
    lock: threading.Lock = field(default_factory=threading.Lock)

    def by_subject(self) -> dict[str, list[int]]:
        order: dict[str, list[int]] = {}
        for event in self.applied:
            order.setdefault(event["subject"], []).append(event["jichisequence"])
        return order


class Receiver:
    """A threaded HTTP server on 127.0.0.1 that verifies and applies events."""

    def __init__(
        self,
        secret: str | None = None,
        *,
        answer: Callable[[list[dict]], int] | None = None,
        port: int = 0,
    ) -> None:
        self.secret = secret
        self.answer = answer or (lambda events: 200)
        self.received = Received()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks"

    def __enter__(self) -> Receiver:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def handle(self, headers: dict, body: bytes) -> int:
        received = self.received
        with received.lock:
            received.requests += 1
        if self.secret is not None:
            try:
                signing.verify(self.secret, headers, body)
            except signing.SignatureError:
                with received.lock:
                    received.refused_signatures += 1
                return 401
        payload = json.loads(body)
        events = payload if isinstance(payload, list) else [payload]
        status = self.answer(events)
        if status != 200:
            return status
        now = time.time()
        with received.lock:
            for event in events:
                if event["id"] in received.seen:
                    received.duplicates += 1
                    continue
                received.seen.add(event["id"])
                received.arrival[event["id"]] = now
                received.applied.append(event)
        return 200

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

            def do_POST(self):
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                status = receiver.handle(dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format, *args):  # no access log: events carry ids
                pass

        return Handler
