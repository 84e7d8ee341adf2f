"""Shared by the store, shop and e2e sessions: the backends they run on, checked up front."""

import copy

import pytest
from django.db import connections

from bookshop.common import health
from tests import services


def pytest_configure(config: pytest.Config) -> None:
    if services.ENABLED:
        try:
            services.check_and_prepare()
        except RuntimeError as exc:
            raise pytest.UsageError(str(exc)) from exc


def pytest_unconfigure(config: pytest.Config) -> None:
    if services.ENABLED:
        services.release()


def _service(config: pytest.Config) -> str | None:
    settings_module = config.getoption("ds", default=None) or ""
    for service in ("store", "shop"):
        if f".{service}." in settings_module:
            return service
    return None


def pytest_report_header(config: pytest.Config) -> str:
    return f"bookshop backends: {services.backends(_service(config)).describe()}"


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    terminalreporter.write_line(
        f"bookshop backends used: {services.backends(_service(config)).describe()}"
    )


@pytest.fixture
def unreachable_database(monkeypatch):
    """Give the health check a connection to a database that cannot be reached: a closed
    port, or a SQLite file in a folder that does not exist. The tests' own connection
    stays as it is."""
    connection = connections["default"]
    settings_dict = copy.deepcopy(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings_dict.update(PORT=1, OPTIONS={**settings_dict["OPTIONS"], "connect_timeout": 2})
    else:
        settings_dict["NAME"] = "/nonexistent-folder/service.sqlite3"
    broken = type(connection)(settings_dict, alias=connection.alias)
    monkeypatch.setattr(health, "connection", broken)
    yield
    broken.close()
