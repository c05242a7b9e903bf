"""Sending email (docs/alerts.md): one interface, ``Sender``, and two senders chosen by
``OPENBOOK_MAIL_SENDER``: ``smtp``, through a mail server with smtplib (STARTTLS and a login
when set), and ``directory``, which writes each message to a file, for development.

Every message is plain UTF-8 text with the headers a list's mail should carry: who sent it,
that it is automatic (RFC 3834), and how to leave with one click (RFC 2369 and RFC 8058)."""

import contextlib
import os
import smtplib
import ssl
import uuid
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

from openbook import config

SENDERS = ("smtp", "directory")
DEFAULT_FROM = "alerts@openbook.invalid"
SMTP_TIMEOUT = 30


class MailError(Exception):
    """A message was not sent. ``fatal``: nothing more can be sent now (the server is
    unreachable, or refused the login); otherwise only this message failed."""

    def __init__(self, message: str, *, fatal: bool) -> None:
        super().__init__(message)
        self.fatal = fatal


class Sender(Protocol):
    """Sends messages; used as a context manager, so that a run of messages shares one
    connection."""

    def __enter__(self) -> "Sender": ...

    def __exit__(self, *exc: object) -> None: ...

    def send(self, message: EmailMessage) -> None:
        """Send one message, or raise MailError."""


def from_address() -> str:
    """Who the messages are from (``OPENBOOK_SMTP_FROM``)."""
    return os.environ.get("OPENBOOK_SMTP_FROM", "").strip() or DEFAULT_FROM


def message(
    to: str, subject: str, text: str, *, unsubscribe: str | None = None, language: str = "en"
) -> EmailMessage:
    """A plain text message; ``unsubscribe``: the address that unsubscribes with one click
    (a POST, RFC 8058), given in List-Unsubscribe."""
    built = EmailMessage()
    built["From"] = from_address()
    built["To"] = to
    # Header values never hold a line break: EmailMessage refuses one (header injection).
    built["Subject"] = " ".join(subject.split())
    built["Date"] = format_datetime(datetime.now(UTC))
    domain = from_address().rpartition("@")[2] or "openbook.invalid"
    built["Message-ID"] = make_msgid(idstring=uuid.uuid4().hex[:12], domain=domain)
    built["Auto-Submitted"] = "auto-generated"
    if unsubscribe:
        built["List-Unsubscribe"] = f"<{unsubscribe}>"
        built["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    built.set_content(text, charset="utf-8")
    built["Content-Language"] = language  # after the content, which sets every Content- header
    return built


class SmtpSender:
    """Through a mail server: ``OPENBOOK_SMTP_HOST`` and ``_PORT``, STARTTLS unless
    ``OPENBOOK_SMTP_STARTTLS`` is 0 (the server's certificate checked), and a login when
    ``OPENBOOK_SMTP_USER`` is set. One connection for a run of messages."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        user: str = "",
        password: str = "",
        starttls: bool = True,
    ) -> None:
        self.host, self.port = host, port
        self.user, self.password = user, password
        self.starttls = starttls
        self._connection: smtplib.SMTP | None = None

    def __enter__(self) -> "SmtpSender":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._connection is not None:
            # The messages are sent: a failed goodbye loses nothing.
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._connection.quit()
            self._connection = None

    def _connected(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        try:
            connection = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
            if self.starttls:
                connection.starttls(context=ssl.create_default_context())
            if self.user:
                connection.login(self.user, self.password)
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(
                f"cannot send through {self.host}:{self.port}: {error}", fatal=True
            ) from None
        self._connection = connection
        return connection

    def send(self, message: EmailMessage) -> None:
        connection = self._connected()
        try:
            connection.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
            raise MailError(f"the server refused the message: {error}", fatal=False) from None
        except (OSError, smtplib.SMTPException) as error:
            self._connection = None
            raise MailError(f"the connection failed: {error}", fatal=True) from None


class DirectorySender:
    """For development: each message written as a file (``.eml``) into a directory
    (``OPENBOOK_MAIL_DIR``), which a mail client opens."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __enter__(self) -> "DirectorySender":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send(self, message: EmailMessage) -> None:
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.directory / name).write_bytes(message.as_bytes())
        except OSError as error:
            raise MailError(f"cannot write into {self.directory}: {error}", fatal=True) from None


def mail_dir() -> Path:
    """Where the directory sender writes (``OPENBOOK_MAIL_DIR``): by default ``mail`` in the
    data directory."""
    value = os.environ.get("OPENBOOK_MAIL_DIR", "").strip()
    return Path(value).expanduser() if value else config.data_dir() / "mail"


def sender() -> AbstractContextManager[Sender]:
    """The sender ``OPENBOOK_MAIL_SENDER`` names: ``directory`` (the default, for
    development: nothing leaves the machine) or ``smtp``."""
    chosen = os.environ.get("OPENBOOK_MAIL_SENDER", "").strip().lower() or "directory"
    if chosen not in SENDERS:
        raise config.ConfigurationError(
            f"OPENBOOK_MAIL_SENDER {chosen!r} is not a sender openbook knows: write smtp, or "
            "directory (the default, for development)"
        )
    if chosen == "directory":
        return DirectorySender(mail_dir())
    host = os.environ.get("OPENBOOK_SMTP_HOST", "").strip()
    if not host:
        raise config.ConfigurationError("OPENBOOK_MAIL_SENDER is smtp: set OPENBOOK_SMTP_HOST")
    port_text = os.environ.get("OPENBOOK_SMTP_PORT", "").strip() or "587"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise config.ConfigurationError(f"OPENBOOK_SMTP_PORT {port_text!r} is not a port")
    return SmtpSender(
        host,
        int(port_text),
        user=os.environ.get("OPENBOOK_SMTP_USER", "").strip(),
        password=os.environ.get("OPENBOOK_SMTP_PASSWORD", ""),
        starttls=os.environ.get("OPENBOOK_SMTP_STARTTLS", "1").strip() != "0",
    )
