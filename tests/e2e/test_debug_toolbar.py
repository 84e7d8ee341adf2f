"""Django Debug Toolbar: off unless `bookshop up --debug-toolbar` asks for it, then only for
browsers on this machine; never in production, never a dependency of the images."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bookshop.common.conf import service_environ
from bookshop.devserver.endpoints import Endpoints
from bookshop.devserver.runner import UpOptions, child_environment

ROOT = Path(__file__).resolve().parents[2]

# A page as a browser on this machine and as one elsewhere would get it.
PAGES = """
from django.test import Client
for address in ("127.0.0.1", "::1", "192.0.2.7"):
    response = Client(REMOTE_ADDR=address).get("/accounts/login/", HTTP_HOST="127.0.0.1")
    print(address, response.status_code, "djDebug" in response.content.decode())
"""


def lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.endswith((" True", " False"))]


@pytest.fixture
def shop(tmp_path):
    """Run `bookshop shop <args>` in a private var/ with only the given settings."""
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BOOKSHOP_", "DJANGO_", "DEBUG"))
    }

    def run(*args: str, **settings: str) -> subprocess.CompletedProcess:
        env = {**base, "BOOKSHOP_VAR_DIR": str(tmp_path / "var"), **settings}
        return subprocess.run(
            [sys.executable, "-m", "bookshop", "shop", *args],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    assert run("migrate", "-v0").returncode == 0
    return run


def test_the_toolbar_is_off_by_default(shop):
    result = shop("shell", "--no-imports", "-c", PAGES)

    assert result.returncode == 0, result.stderr
    assert lines(result) == ["127.0.0.1 200 False", "::1 200 False", "192.0.2.7 200 False"]


def test_with_the_setting_it_shows_to_loopback_browsers_only(shop):
    result = shop("shell", "--no-imports", "-c", PAGES, DEBUG_TOOLBAR="1")

    assert result.returncode == 0, result.stderr
    assert lines(result) == ["127.0.0.1 200 True", "::1 200 True", "192.0.2.7 200 False"]


def test_production_settings_refuse_it(shop):
    result = shop(
        "check", DEBUG_TOOLBAR="1", DJANGO_ENV="production", SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="shop.example.com",
    )  # fmt: skip

    assert result.returncode != 0
    assert "DEBUG_TOOLBAR is a development aid" in result.stderr


def test_only_the_flag_turns_it_on_and_only_for_the_shop(tmp_path):
    def environ(**options) -> dict[str, str]:
        up = UpOptions(endpoints=Endpoints(), var_dir=tmp_path, **options)
        return child_environment(up, "password", base={})

    assert "DEBUG_TOOLBAR" not in service_environ("shop", environ())
    assert service_environ("shop", environ(debug_toolbar=True))["DEBUG_TOOLBAR"] == "1"
    assert "DEBUG_TOOLBAR" not in service_environ("store", environ(debug_toolbar=True))


def test_without_the_package_up_explains_how_to_install_it(tmp_path):
    hide = (
        "import sys; sys.modules['debug_toolbar'] = None; from bookshop.cli import main; "
        "sys.exit(main(['up', '--debug-toolbar']))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOOKSHOP_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-c", hide], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip

    assert result.returncode == 2
    assert "Django Debug Toolbar is not installed" in result.stderr
    assert "pip install -e '.[dev]'" in result.stderr
    assert not (tmp_path / "var").exists()  # nothing was started


def test_it_is_no_dependency_of_the_production_image():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    assert not [d for d in project["dependencies"] if "debug-toolbar" in d]
    assert [d for d in project["optional-dependencies"]["dev"] if "debug-toolbar" in d]
    # The image installs the project without extras.
    assert "pip install ." in (ROOT / "deploy" / "Dockerfile").read_text()
