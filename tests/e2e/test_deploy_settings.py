"""Production settings, read by each service's real command line: `check --deploy` is
clean behind a TLS proxy, every switch comes from the environment, logs go to stdout, and
the embedded mode's defaults stay as they were."""

import json
import os
import re
import subprocess
import sys

import pytest

SERVICES = ("store", "shop")
STRONG_KEY = "k3y-" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ" * 2

SHOW = """
import json
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": s.CSRF_TRUSTED_ORIGINS,
    "SECURE_PROXY_SSL_HEADER": s.SECURE_PROXY_SSL_HEADER,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_HSTS_PRELOAD": s.SECURE_HSTS_PRELOAD,
    "STATICFILES": s.STORAGES["staticfiles"]["BACKEND"],
    "WHITENOISE_USE_FINDERS": s.WHITENOISE_USE_FINDERS,
}))
"""


@pytest.fixture
def run(tmp_path):
    """Run `bookshop <args>` with only the given settings (and a private var/)."""

    def run(*args: str, **settings: str) -> subprocess.CompletedProcess:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("BOOKSHOP_", "DJANGO_", "SECURE_", "CELERY_"))
            and key not in ("SECRET_KEY", "DEBUG", "HTTPS", "ALLOWED_HOSTS", "LOG_LEVEL")
        }
        env.update(BOOKSHOP_VAR_DIR=str(tmp_path / "var"), **settings)
        return subprocess.run(
            [sys.executable, "-m", "bookshop", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run


def production(**extra: str) -> dict[str, str]:
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "shop.example.com",
        **extra,
    }


def show(run, service: str, **settings: str) -> dict:
    result = run(service, "shell", "--no-imports", "-c", SHOW, **settings)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("service", SERVICES)
def test_check_deploy_is_clean_behind_a_tls_proxy(run, service):
    result = run(service, "check", "--deploy", "--fail-level", "WARNING", **production(HTTPS="1"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert result.stderr == ""


@pytest.mark.parametrize("service", SERVICES)
def test_without_https_check_deploy_names_exactly_what_https_turns_on(run, service):
    result = run(service, "check", "--deploy", **production(HTTPS="0"))

    assert result.returncode == 0
    warnings = set(re.findall(r"\(security\.(W\d+)\)", result.stderr))
    # HSTS, redirect to https, secure session and CSRF cookies.
    assert warnings == {"W004", "W008", "W012", "W016"}


@pytest.mark.parametrize("service", SERVICES)
def test_production_refuses_to_start_without_a_secret_key(run, service):
    settings = production()
    del settings["SECRET_KEY"]

    result = run(service, "check", **settings)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_https_turns_on_every_tls_setting_and_each_can_be_set_alone(run):
    assert show(run, "shop", **production(HTTPS="1")) == {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["shop.example.com"],
        "CSRF_TRUSTED_ORIGINS": [],
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "STATICFILES": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "WHITENOISE_USE_FINDERS": False,
    }
    chosen = show(
        run,
        "store",
        **production(
            HTTPS="1",
            ALLOWED_HOSTS="store.example.com,store",
            CSRF_TRUSTED_ORIGINS="https://www.example.com",
            SECURE_HSTS_SECONDS="600",
            SECURE_HSTS_PRELOAD="0",
            SECURE_SSL_REDIRECT="0",
        ),
    )
    assert chosen["ALLOWED_HOSTS"] == ["store.example.com", "store"]
    assert chosen["CSRF_TRUSTED_ORIGINS"] == ["https://www.example.com"]
    assert chosen["SECURE_HSTS_SECONDS"] == 600
    assert chosen["SECURE_HSTS_PRELOAD"] is False
    assert chosen["SECURE_SSL_REDIRECT"] is False
    assert chosen["SESSION_COOKIE_SECURE"] is True


def test_https_redirects_pages_but_not_the_api_the_shop_calls_inside_the_network(run):
    result = run(
        "store", "shell", "--no-imports", "-c",
        "import json; from django.test import Client; c = Client();"
        "page = c.get('/admin/');"
        "print(json.dumps([page.status_code, page['Location'],"
        " c.get('/api/v1/me/').status_code, c.get('/healthz').status_code]))",
        **production(HTTPS="1", ALLOWED_HOSTS="testserver"),
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    # The last line: the health check logs its failure (no database here) before it.
    page, location, api, health = json.loads(result.stdout.splitlines()[-1])
    assert (page, location) == (301, "https://testserver/admin/")
    assert api in (401, 403)  # the API's own answer, no redirect
    assert health in (200, 503)  # the database is not set up here: still no redirect


@pytest.mark.parametrize("service", SERVICES)
def test_the_embedded_mode_keeps_its_development_defaults(run, service):
    assert show(run, service, DJANGO_ENV="development") == {
        "DEBUG": True,
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "[::1]"],
        "CSRF_TRUSTED_ORIGINS": [],
        "SECURE_PROXY_SSL_HEADER": None,
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "STATICFILES": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "WHITENOISE_USE_FINDERS": True,
    }


def test_production_logs_go_to_stdout(run):
    result = run(
        "store", "shell", "--no-imports", "-c",
        "import logging; logging.getLogger('bookshop.probe').warning('probe line')",
        **production(),
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert re.search(r"WARNING bookshop\.probe probe line", result.stdout)
    assert "probe line" not in result.stderr
