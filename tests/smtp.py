"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, collecting what it receives."""

import email
import re
import socket
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    """aiosmtpd handler: keeps every message received."""

    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    """The server, which a test may stop and start again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.handler = Collector()
        self.controller = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def clear(self) -> None:
        self.handler.messages.clear()


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


LINK = re.compile(r"https?://[^\s<>\"]+")


def links_in(message: EmailMessage) -> list[str]:
    """Every link of the text part, in order."""
    return LINK.findall(text_of(message))
