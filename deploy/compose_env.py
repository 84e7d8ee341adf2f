"""Write the compose stack's .env from .env.example, with freshly generated secrets.

    python3 deploy/compose_env.py [PATH]        (`make compose-env`; PATH defaults to .env)

Every line of .env.example is kept, so the file explains itself; the secrets it leaves
empty (and the admin's password) get new random values. An existing file is never
overwritten: the databases and RabbitMQ keep the passwords they were first started
with, so new ones would lock the services out of their own data.
Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / ".env.example"

# Name -> bytes of randomness. token_urlsafe keeps to letters, digits, - and _, which
# are safe inside the URLs compose.yaml builds from these.
SECRETS = {
    "STORE_SECRET_KEY": 48,
    "SHOP_SECRET_KEY": 48,
    "STORE_DB_PASSWORD": 24,
    "SHOP_DB_PASSWORD": 24,
    "RABBITMQ_PASSWORD": 24,
    "BOOKSHOP_ADMIN_PASSWORD": 12,
}


def render(example: str) -> tuple[str, dict[str, str]]:
    """The example with each empty secret filled in; also the values chosen."""
    chosen: dict[str, str] = {}

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        chosen[name] = secrets.token_urlsafe(SECRETS[name])
        return f"{name}={chosen[name]}"

    names = "|".join(SECRETS)
    text = re.sub(rf"^({names})=[ \t]*$", fill, example, flags=re.MULTILINE)
    missing = sorted(set(SECRETS) - set(chosen))
    if missing:
        raise SystemExit(f"{EXAMPLE.name} has no empty line for {', '.join(missing)}")
    return text, chosen


def write(path: Path) -> dict[str, str]:
    """Create `path` (readable by its owner only); refuse if it exists."""
    text, chosen = render(EXAMPLE.read_text())
    # O_EXCL: even a file created a moment ago by someone else is left alone.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    return chosen


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        print(f"usage: {sys.argv[0]} [PATH]", file=sys.stderr)
        return 2
    path = Path(argv[0] if argv else REPO / ".env")
    try:
        chosen = write(path)
    except FileExistsError:
        print(
            f"{path} exists and was left as it is: the stack's databases keep the "
            "passwords they first started with. To start afresh, `docker compose down -v` "
            "(which deletes every volume) and remove the file first.",
            file=sys.stderr,
        )
        return 1
    user = re.search(r"^BOOKSHOP_ADMIN_USER=(.*)$", path.read_text(), re.MULTILINE)
    print(f"Wrote {path} with fresh secrets.")
    print(
        f"Admin login on the shop and the store: {user.group(1) if user else 'admin'} / "
        f"{chosen['BOOKSHOP_ADMIN_PASSWORD']}"
    )
    print("Next: docker compose up -d --build")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
