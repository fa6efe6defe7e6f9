"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for mail tests.

`smtp_server` (fixture in tests/conftest.py): a running server; `.settings()` gives the
`MailSettings` that send to it, `.messages` the parsed messages received so far.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from assessment.config import MailSettings

HOST = "127.0.0.1"
SENDER = "maturity@example.org"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Mailbox:
    """The aiosmtpd handler: keeps every message; refuses the recipients listed."""

    refused: set[str] = field(default_factory=set)
    received: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.received.append(parsed)
        return "250 Message accepted"


class SmtpServer:
    """An aiosmtpd server on a fixed loopback port that can be stopped and started again."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        """Listen on the port."""
        self._controller = Controller(self.mailbox, hostname=HOST, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        """Stop listening (connections are then refused)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        """Every message received so far, in order."""
        with self.mailbox.lock:
            return list(self.mailbox.received)

    def settings(self, folder: Path | None = None) -> MailSettings:
        """Mail settings that send to this server (plain SMTP on loopback, no login)."""
        return MailSettings(
            host=HOST,
            port=self.port,
            tls="none",
            sender=SENDER,
            folder=folder or Path("unused-mail-folder"),
            site_url="http://maturity.test",
            product_name="Maturity Test",
        )

    def environment(self) -> dict[str, str]:
        """The same settings as environment variables (for the commands)."""
        return {
            "SMTP_HOST": HOST,
            "SMTP_PORT": str(self.port),
            "SMTP_TLS": "none",
            "MAIL_FROM": SENDER,
            "SITE_URL": "http://maturity.test",
            "REPORT_ORGANISATION": "Maturity Test",
        }


def text_body(message: EmailMessage) -> str:
    """The plain-text alternative of a message."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no plain-text body"
    return str(part.get_content())


def html_body(message: EmailMessage) -> str:
    """The HTML alternative of a message."""
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "the message has no HTML body"
    return str(part.get_content())
