"""Messages the mail catcher received, kept in a Maildir, and their MailHog-shaped JSON."""

from __future__ import annotations

import mailbox
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from pathlib import Path
from typing import Any

# Maildir keys are made by the mailbox module: digits, letters, dots, and the host name.
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

_parser = BytesParser(policy=policy.default)


@dataclass(frozen=True)
class StoredMessage:
    key: str
    received: datetime
    raw: bytes
    message: EmailMessage

    @property
    def envelope_from(self) -> str:
        return str(self.message.get("X-MailFrom", "")) or str(self.message.get("From", ""))

    @property
    def envelope_to(self) -> list[str]:
        rcpt = str(self.message.get("X-RcptTo", ""))
        return [addr.strip() for addr in rcpt.split(",") if addr.strip()]

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    def text(self) -> str | None:
        """The plain-text body, decoded, if the message has one."""
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else None

    def html(self) -> str | None:
        """The HTML body, decoded, if the message has one."""
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else None

    def matches(self, kind: str, query: str) -> bool:
        """MailHog's search: kind is "from", "to" or "containing"; case-insensitive."""
        query = query.lower()
        if kind == "from":
            haystacks = [self.envelope_from, str(self.message.get("From", ""))]
        elif kind == "to":
            haystacks = [*self.envelope_to, str(self.message.get("To", ""))]
        else:
            haystacks = [self.raw.decode(errors="replace"), self.subject, self.text() or ""]
        return any(query in haystack.lower() for haystack in haystacks)


class MailStore:
    """A Maildir that the SMTP handler writes and the inbox reads, thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # mailbox creates the three folders only when `path` itself is new.
        for sub in ("tmp", "new", "cur"):
            (self.path / sub).mkdir(parents=True, exist_ok=True)
        self._maildir = mailbox.Maildir(self.path, factory=None, create=False)
        self._lock = threading.Lock()
        self._cache: dict[str, StoredMessage] = {}

    def add(self, raw: bytes) -> str:
        """Store one message (its bytes as received) and return its key."""
        with self._lock:
            return self._maildir.add(raw)

    def _files(self) -> list[tuple[int, str, Path]]:
        entries = []
        for sub in ("new", "cur"):
            for path in (self.path / sub).iterdir():
                if path.name.startswith("."):
                    continue
                try:
                    mtime = path.stat().st_mtime_ns
                except FileNotFoundError:  # deleted meanwhile
                    continue
                entries.append((mtime, path.name.split(":", 1)[0], path))
        entries.sort(reverse=True)  # newest first
        return entries

    def _load(self, key: str, path: Path, mtime_ns: int) -> StoredMessage | None:
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        stored = StoredMessage(
            key=key,
            received=datetime.fromtimestamp(mtime_ns / 1e9, tz=UTC),
            raw=raw,
            message=_parser.parsebytes(raw),
        )
        self._cache[key] = stored
        return stored

    def all(self) -> list[StoredMessage]:
        """Every message, newest first."""
        with self._lock:
            loaded = (self._load(key, path, mtime) for mtime, key, path in self._files())
            messages = [message for message in loaded if message is not None]
            live = {message.key for message in messages}
            for key in set(self._cache) - live:
                del self._cache[key]
            return messages

    def get(self, key: str) -> StoredMessage | None:
        if not KEY_PATTERN.match(key):
            return None
        for message in self.all():
            if message.key == key:
                return message
        return None

    def delete(self, key: str) -> bool:
        if not KEY_PATTERN.match(key):
            return False
        with self._lock:
            try:
                self._maildir.remove(key)
            except KeyError:
                return False
            self._cache.pop(key, None)
            return True

    def clear(self) -> int:
        with self._lock:
            keys = list(self._maildir.keys())
            for key in keys:
                self._maildir.discard(key)
            self._cache.clear()
            return len(keys)


# -- MailHog's JSON shape ---------------------------------------------------------------------


def _mail_path(address: str) -> dict[str, Any]:
    address = address.strip().strip("<>")
    mailbox_part, _, domain = address.rpartition("@")
    if not mailbox_part:
        mailbox_part, domain = domain, ""
    return {"Relays": None, "Mailbox": mailbox_part, "Domain": domain, "Params": ""}


def _headers(message: MIMEPart) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in message.items():
        headers.setdefault(name, []).append(str(value))
    return headers


def _split_raw(raw: bytes) -> str:
    """The part of a message or MIME part after its header block, as sent."""
    normalised = raw.replace(b"\r\n", b"\n")
    _, _, body = normalised.partition(b"\n\n")
    return body.decode(errors="replace")


def _mime(message: MIMEPart) -> dict[str, Any] | None:
    if not message.is_multipart():
        return None
    parts = []
    for part in message.iter_parts():
        raw = part.as_bytes()
        parts.append(
            {
                "Headers": _headers(part),
                "Body": _split_raw(raw),
                "Size": len(raw),
                "MIME": _mime(part),
            }
        )
    return {"Parts": parts}


def to_mailhog(stored: StoredMessage) -> dict[str, Any]:
    """One message in the shape of MailHog's API, so clients of MailHog work here too."""
    message = stored.message
    data = stored.raw.decode(errors="replace")
    return {
        "ID": stored.key,
        "From": _mail_path(stored.envelope_from),
        "To": [_mail_path(address) for address in stored.envelope_to],
        "Content": {
            "Headers": _headers(message),
            "Body": _split_raw(stored.raw),
            "Size": len(stored.raw),
            "MIME": None,
        },
        "Created": stored.received.isoformat().replace("+00:00", "Z"),
        "MIME": _mime(message),
        "Raw": {
            "From": stored.envelope_from,
            "To": stored.envelope_to,
            "Data": data,
            "Helo": str(message.get("X-Helo", "")),
        },
    }
