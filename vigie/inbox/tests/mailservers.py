"""Real mail servers on loopback for the private-channel tests.

``SmtpServer``: aiosmtpd, keeping every message it accepts. ``ImapServer``: a small IMAP4rev1
server (LOGIN, SELECT, UID SEARCH/FETCH/STORE, LOGOUT) over a real socket, enough for
``imaplib`` to poll a mailbox exactly as it polls a real one. aiosmtpd has no IMAP counterpart and
no pure-Python IMAP server is packaged for tests, hence this one; it speaks the wire protocol, so
``vigie.inbox.outbox.private.poll_imap`` runs unchanged against it.
"""

from __future__ import annotations

import re
import socket
import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Received:
    """One message the SMTP server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, smtp: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.server.unknown_recipients:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        if self.server.refuse_next:
            self.server.refuse_next -= 1
            return "451 4.3.0 Try again later"
        content = envelope.original_content or b""
        self.server.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """aiosmtpd on a free loopback port; ``refuse_next`` answers that many messages with a 451,
    ``unknown_recipients`` are refused with a 550."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse_next = 0
        self.unknown_recipients: set[str] = set()
        # aiosmtpd connects to its own port to check it started, so it needs a real port number.
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=_free_port())

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._controller.stop()


@dataclass
class StoredMail:
    uid: int
    data: bytes
    flags: set[str] = field(default_factory=set)


class ImapServer:
    """A one-mailbox IMAP server on a free loopback port."""

    def __init__(self, user: str = "inbox@acme.example", password: str = "secret") -> None:
        self.user = user
        self.password = password
        self.mails: list[StoredMail] = []
        self.commands: list[str] = []
        self._lock = threading.Lock()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def deliver(self, data: bytes) -> int:
        """Put a message in the mailbox, unseen; returns its UID."""
        with self._lock:
            uid = len(self.mails) + 1
            self.mails.append(StoredMail(uid, data))
            return uid

    def flags(self, uid: int) -> set[str]:
        return self.mails[uid - 1].flags

    def __enter__(self) -> ImapServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[socketserver.StreamRequestHandler]:
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def send(self, line: str | bytes) -> None:
                self.wfile.write(line if isinstance(line, bytes) else line.encode())

            def handle(self) -> None:
                self.send("* OK IMAP4rev1 test server ready\r\n")
                authenticated = False
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    line = raw.decode().rstrip("\r\n")
                    server.commands.append(line)
                    tag, _, rest = line.partition(" ")
                    command, _, args = rest.partition(" ")
                    command = command.upper()
                    if command == "CAPABILITY":
                        self.send("* CAPABILITY IMAP4rev1\r\n")
                        self.send(f"{tag} OK CAPABILITY completed\r\n")
                    elif command == "LOGIN":
                        user, password = (part.strip('"') for part in args.split(" ", 1))
                        if (user, password) != (server.user, server.password):
                            self.send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n")
                            continue
                        authenticated = True
                        self.send(f"{tag} OK LOGIN completed\r\n")
                    elif command == "LOGOUT":
                        self.send("* BYE logging out\r\n")
                        self.send(f"{tag} OK LOGOUT completed\r\n")
                        return
                    elif not authenticated:
                        self.send(f"{tag} BAD not authenticated\r\n")
                    elif command == "SELECT":
                        self.send(f"* {len(server.mails)} EXISTS\r\n* 0 RECENT\r\n")
                        self.send("* FLAGS (\\Seen \\Flagged)\r\n")
                        self.send(f"{tag} OK [READ-WRITE] SELECT completed\r\n")
                    elif command == "UID":
                        self._uid(tag, args)
                    else:
                        self.send(f"{tag} BAD unknown command\r\n")

            def _uid(self, tag: str, args: str) -> None:
                sub, _, rest = args.partition(" ")
                sub = sub.upper()
                if sub == "SEARCH":
                    wanted = rest.upper().split()
                    found = [
                        str(mail.uid)
                        for mail in server.mails
                        if ("UNSEEN" not in wanted or "\\Seen" not in mail.flags)
                        and ("UNFLAGGED" not in wanted or "\\Flagged" not in mail.flags)
                    ]
                    self.send(f"* SEARCH {' '.join(found)}\r\n".replace(" \r\n", "\r\n"))
                    self.send(f"{tag} OK SEARCH completed\r\n")
                elif sub == "FETCH":
                    uid = int(rest.split(" ", 1)[0])
                    mail = server.mails[uid - 1]
                    self.send(
                        f"* {uid} FETCH (UID {uid} BODY[] {{{len(mail.data)}}}\r\n".encode()
                        + mail.data
                        + b")\r\n"
                    )
                    self.send(f"{tag} OK FETCH completed\r\n")
                elif sub == "STORE":
                    uid_text, _, flag_args = rest.partition(" ")
                    flags = re.findall(r"\\\w+", flag_args)
                    mail = server.mails[int(uid_text) - 1]
                    mail.flags.update(flags)
                    self.send(
                        f"* {mail.uid} FETCH (UID {mail.uid} FLAGS ({' '.join(sorted(mail.flags))}))\r\n"
                    )
                    self.send(f"{tag} OK STORE completed\r\n")
                else:
                    self.send(f"{tag} BAD unknown UID command\r\n")

            def log_message(self, *args: Any) -> None:
                return

        return Handler
