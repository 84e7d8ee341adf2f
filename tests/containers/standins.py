"""Local stand-ins for the public images compose.yaml and deploy/Dockerfile name, for a
podman that cannot pull them (see standins/README.md).

Each public image is used as it is when it is here, or pulled when a registry answers;
only when neither works is a stand-in built from Debian's packages, on a Debian base made
with debootstrap, and tagged with the public name (labelled, so it is never taken for the
real one). A stand-in is rebuilt only when its folder, or what it builds on, changed.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tests.containers.engine import Engine, EngineError, run_command

HERE = Path(__file__).resolve().parent / "standins"
LABEL = "org.bookshop.standin"
BASE = "localhost/bookshop-standin/debian:bookworm"
SUITE = "bookworm"
HOST_CA = Path("/usr/local/share/ca-certificates")
ON_THE_STORE_IMAGE = {"mailhog"}


@dataclass(frozen=True)
class Outcome:
    image: str
    how: str  # "real image", "real image, pulled", "stand-in, reused", "stand-in, built in N s"


def qualified(image: str) -> str:
    """The name as the engines store it: postgres:16 -> docker.io/library/postgres:16."""
    first, _, rest = image.partition("/")
    if not rest:
        return f"docker.io/library/{image}"
    if "." not in first and ":" not in first and first != "localhost":
        return f"docker.io/{image}"
    return image


def built_on_the_store_image(image: str) -> bool:
    """Whether the image's stand-in builds on the project's store image (the mail
    catcher is the project's own) rather than on Debian's base."""
    return _short_name(image) in ON_THE_STORE_IMAGE


def _short_name(image: str) -> str:
    """The repository's last part: mailhog/mailhog:v1.0.1 -> mailhog."""
    return image.rsplit("/", 1)[-1].split(":", 1)[0]


def folder_for(image: str) -> Path:
    """The image's stand-in folder, standins/<its short name>/."""
    folder = HERE / _short_name(image)
    if not (folder / "Containerfile").exists():
        raise EngineError(f"{image} cannot be pulled here and has no stand-in in {folder}")
    return folder


def dockerfile_images(dockerfile: Path) -> list[str]:
    """The base images a Dockerfile names through `ARG ..._IMAGE=default`."""
    return re.findall(r"^ARG \w+_IMAGE=(\S+)$", dockerfile.read_text(), re.MULTILINE)


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _folder_digest(folder: Path, *extra: str) -> str:
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    return _digest(*extra, *(f"{p.relative_to(folder)}:{p.stat().st_mode:o}" for p in files),
                   *(p.read_bytes() for p in files))  # fmt: skip


def _label(engine: Engine, image: str) -> str | None:
    """The stand-in label of a local image; "" for a real image; None if absent."""
    result = engine.run(
        "image", "inspect", "--format", f'{{{{index .Config.Labels "{LABEL}"}}}}', image,
        check=False,
    )  # fmt: skip
    if result.returncode:
        return None
    value = result.stdout.strip()
    return "" if value in ("", "<no value>") else value


def _image_id(engine: Engine, image: str) -> str:
    return engine.run("image", "inspect", "--format", "{{.Id}}", image).stdout.strip()


def debian_mirror() -> str:
    """The Debian mirror apt already uses on this host."""
    sources = Path("/etc/apt/sources.list.d/debian.sources")
    if sources.exists():
        for stanza in sources.read_text().split("\n\n"):
            uris = re.search(r"^URIs:\s*(\S+)", stanza, re.MULTILINE)
            suites = re.search(r"^Suites:\s*(.+)$", stanza, re.MULTILINE)
            if uris and suites and SUITE in suites.group(1).split():
                return uris.group(1)
    legacy = Path("/etc/apt/sources.list")
    if legacy.exists():
        found = re.search(rf"^deb\s+(\S+)\s+{SUITE}\s", legacy.read_text(), re.MULTILINE)
        if found:
            return found.group(1)
    return "http://deb.debian.org/debian"


def ensure_base(engine: Engine) -> str:
    """Debian's minimal base image, made with debootstrap once; says what it did."""
    mirror = debian_mirror()
    wanted = _digest("debootstrap --variant=minbase", SUITE, mirror, "v1")
    if _label(engine, BASE) == wanted:
        return f"{BASE}: reused"
    if not shutil.which("debootstrap"):
        raise EngineError("debootstrap is not installed (Debian: apt-get install -y debootstrap)")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bookshop-standin-", dir="/var/tmp") as tmp:
        rootfs = Path(tmp) / "rootfs"
        # As root, like debootstrap itself.
        run_command(["debootstrap", "--variant=minbase", SUITE, str(rootfs), mirror], timeout=900)
        # What Debian's own container images do: no service starts during apt-get, and
        # nothing cached that the image does not need.
        policy = rootfs / "usr/sbin/policy-rc.d"
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for path in (rootfs / cache).glob("*"):
                if path.is_file():
                    path.unlink()
        archive = Path(tmp) / "rootfs.tar"
        run_command(["tar", "-C", str(rootfs), "-cf", str(archive), "."], timeout=300)
        engine.run(
            "import", "--change", f"LABEL {LABEL}={wanted}", "--change", 'CMD ["bash"]',
            str(archive), BASE, timeout=600,
        )  # fmt: skip
    return f"{BASE}: debootstrap of Debian {SUITE} in {time.monotonic() - started:.0f} s"


def _build(engine: Engine, image: str, folder: Path, base: str, digest: str) -> None:
    with tempfile.TemporaryDirectory(prefix="bookshop-standin-") as tmp:
        context = Path(tmp) / folder.name
        shutil.copytree(folder, context)
        if "host-ca/" in (context / "Containerfile").read_text():
            (context / "host-ca").mkdir(exist_ok=True)
            for certificate in HOST_CA.glob("*.crt"):
                shutil.copy(certificate, context / "host-ca")
        engine.run(
            "build", "--format", "docker", "--build-arg", f"BASE={base}",
            "--label", f"{LABEL}={digest}", "-t", qualified(image), str(context),
            timeout=1200,
        )  # fmt: skip


def find(engine: Engine, images: Iterable[str]) -> tuple[list[Outcome], list[str]]:
    """Which images are real (here, or pulled where a registry answers, which also
    replaces a stand-in), and which need a stand-in."""
    found, missing = [], []
    for image in images:
        if _label(engine, image) == "":
            found.append(Outcome(image, "real image"))
        elif engine.run("pull", "-q", image, check=False, timeout=180).returncode == 0:
            found.append(Outcome(image, "real image, pulled"))
        else:
            missing.append(image)
    return found, missing


def build(engine: Engine, images: Iterable[str], base: str) -> list[Outcome]:
    """A stand-in for each image, built on `base` (side by side), unless one built from
    the same folder on the same base is here already."""
    base_id = _image_id(engine, base)
    outcomes, to_build = [], []
    for image in images:
        folder = folder_for(image)
        digest = _folder_digest(folder, base_id, qualified(image))
        if _label(engine, image) == digest:
            outcomes.append(Outcome(image, "stand-in, reused"))
        else:
            to_build.append((image, folder, digest))

    def one(item: tuple[str, Path, str]) -> Outcome:
        image, folder, digest = item
        started = time.monotonic()
        _build(engine, image, folder, base, digest)
        return Outcome(image, f"stand-in, built in {time.monotonic() - started:.0f} s")

    with ThreadPoolExecutor(max_workers=max(len(to_build), 1)) as pool:
        outcomes.extend(pool.map(one, to_build))
    return outcomes
