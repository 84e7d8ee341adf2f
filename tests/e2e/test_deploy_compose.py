"""compose.yaml as Debian's docker-compose and the Compose Specification read it: every
service, its ports, health checks, dependencies, volumes and networks; no engine needed."""

import os
import re
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests import services

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "compose.yaml"
ENV_EXAMPLE = REPO / ".env.example"
SECRETS = (
    "STORE_SECRET_KEY", "SHOP_SECRET_KEY", "STORE_DB_PASSWORD", "SHOP_DB_PASSWORD",
    "RABBITMQ_PASSWORD",
)  # fmt: skip
SERVICES = {
    "shop", "shop-worker", "shop-beat", "db_shop", "redis", "rabbitmq",
    "store", "db_store", "smtp-server", "nginx", "bootstrap",
}  # fmt: skip
SHOP_PROCESSES = ("shop", "shop-worker", "shop-beat")
GENERATED = (*SECRETS, "BOOKSHOP_ADMIN_PASSWORD")
EVERY_ADDRESS = "0.0.0.0"  # noqa: S104 - what the shop and store publish on by default


def tool(name: str) -> str:
    """A command-line tool the tests need: CI (BOOKSHOP_TEST_SERVICES=1) must have it."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (Debian: apt-get install -y {name})"
    if services.ENABLED:
        pytest.fail(message)
    pytest.skip(message)


def example_settings() -> dict[str, str]:
    settings = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            settings[name.strip()] = value
    return settings


def docker_compose(env_file: Path, *args: str) -> subprocess.CompletedProcess:
    # Only the given settings: nothing from the caller's environment or a local .env.
    return subprocess.run(
        [tool("docker-compose"), "-f", str(COMPOSE), "--env-file", str(env_file), *args],
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> dict:
    """The stack as docker-compose resolves it, from .env.example with its secrets filled."""
    settings = example_settings()
    settings.update({name: secrets.token_urlsafe(24) for name in SECRETS})
    env_file = tmp_path_factory.mktemp("compose") / ".env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
    result = docker_compose(env_file, "config")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def published_ports(service: dict) -> dict[int, tuple[str, int]]:
    """{container port: (host address, host port)} in either of compose's notations."""
    ports = {}
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            ports[int(entry["target"])] = (entry.get("host_ip", ""), int(entry["published"]))
        else:
            *host, published, target = entry.split("/")[0].split(":")
            ports[int(target)] = (host[0] if host else "", int(published))
    return ports


def networks(service: dict) -> set[str]:
    return set(service.get("networks") or {"default"})


def test_the_stack_has_every_service(config):
    assert set(config["services"]) == SERVICES


def test_nginx_publishes_the_shop_the_store_and_the_mail_inbox(config):
    stack = config["services"]

    assert published_ports(stack["nginx"]) == {
        8080: (EVERY_ADDRESS, 8080),
        8081: (EVERY_ADDRESS, 8081),
        8082: ("127.0.0.1", 8082),  # the inbox has no login of its own
    }
    assert published_ports(stack["rabbitmq"]) == {15672: ("127.0.0.1", 15672)}
    others = {name for name, service in stack.items() if service.get("ports")}
    assert others == {"nginx", "rabbitmq"}


def test_every_long_running_service_has_a_health_check(config):
    for name, service in config["services"].items():
        test = service.get("healthcheck", {}).get("test", ["NONE"])
        if name == "bootstrap":
            assert test == ["NONE"]  # a one-shot: the others wait for its exit status
            assert service["restart"] == "no"
        else:
            assert test[0] in ("CMD", "CMD-SHELL"), name
            assert len(test) > 1, name
            assert service["restart"] == "unless-stopped", name
    probes = {
        name: service["healthcheck"]["test"][-1]
        for name, service in config["services"].items()
        if service.get("build", {}).get("target") in ("store", "shop") and name != "bootstrap"
    }
    assert probes == {"store": "web", "shop": "web", "shop-worker": "worker", "shop-beat": "beat"}


def test_services_start_only_once_what_they_need_is_healthy(config):
    stack = config["services"]
    waits = {
        name: {dep: spec["condition"] for dep, spec in service.get("depends_on", {}).items()}
        for name, service in stack.items()
    }

    for name, deps in waits.items():
        for dep, condition in deps.items():
            expected = "service_completed_successfully" if dep == "bootstrap" else "service_healthy"
            assert condition == expected, f"{name} -> {dep}"
    assert set(waits["nginx"]) == {"shop", "store", "smtp-server"}
    assert set(waits["store"]) == {"db_store", "bootstrap"}
    assert set(waits["shop"]) == {"db_shop", "rabbitmq", "redis", "store", "bootstrap"}
    assert set(waits["shop-worker"]) == {"db_shop", "rabbitmq", "redis", "bootstrap"}
    assert set(waits["shop-beat"]) == {"rabbitmq", "bootstrap"}
    assert set(waits["bootstrap"]) == {"db_store", "db_shop"}
    # Nobody waits by sleeping.
    for name, service in stack.items():
        assert "sleep" not in " ".join(map(str, service.get("command") or [])), name


def test_no_shop_process_can_reach_the_store_s_database(config):
    stack = config["services"]

    for name in SHOP_PROCESSES:
        assert not networks(stack[name]) & networks(stack["db_store"]), name
    assert not networks(stack["store"]) & networks(stack["db_shop"])
    assert config["networks"]["store-data"]["internal"] is True
    assert config["networks"]["shop-data"]["internal"] is True


def test_only_the_shop_s_own_network_reaches_the_broker(config):
    stack = config["services"]
    broker = networks(stack["rabbitmq"])
    neighbours = {
        network: sorted(name for name, service in stack.items() if network in networks(service))
        for network in broker
    }

    # Its other network exists only to publish the management UI.
    assert neighbours == {
        "shop-data": sorted(["bootstrap", "db_shop", "rabbitmq", "redis", *SHOP_PROCESSES]),
        "broker-ui": ["rabbitmq"],
    }


def test_services_meant_to_scale_have_no_fixed_name(config):
    for name, service in config["services"].items():
        assert "container_name" not in service, name
    for name in ("shop", "shop-worker", "store"):
        assert "hostname" not in config["services"][name]


def test_data_lives_in_named_volumes(config):
    stack = config["services"]

    def mounts(name: str) -> dict[str, str]:
        result = {}
        for volume in stack[name].get("volumes", []):
            if isinstance(volume, dict):
                mode = "ro" if volume.get("read_only") else "rw"
                result[volume["source"]] = mode
            else:
                source, _, rest = volume.partition(":")
                result[source] = "ro" if rest.endswith(":ro") else "rw"
        return result

    assert set(config["volumes"]) == {"db_store", "db_shop", "media", "store_token", "rabbitmq"}
    assert mounts("db_store") == {"db_store": "rw"}
    assert mounts("db_shop") == {"db_shop": "rw"}
    assert mounts("store") == {"media": "rw"}
    assert mounts("nginx") == {"media": "ro"}
    # The store's bootstrap writes the shop's token, which the shop's processes only read,
    # and the demo catalogue's covers, which the store serves.
    assert mounts("bootstrap") == {"store_token": "rw", "media": "rw"}
    for name in SHOP_PROCESSES:
        assert mounts(name) == {"store_token": "ro"}


def test_the_stack_refuses_to_start_without_its_secrets():
    result = docker_compose(ENV_EXAMPLE, "config")

    assert result.returncode != 0
    assert re.search(r"set \w+ in \.env", result.stderr)


def make_compose_env(env_file: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "-s", "-C", str(REPO), "compose-env", f"ENV_FILE={env_file}"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def read_env(env_file: Path) -> dict[str, str]:
    return dict(
        line.split("=", 1)
        for line in env_file.read_text().splitlines()
        if line and not line.startswith("#")
    )


def test_make_compose_env_writes_fresh_secrets_the_stack_accepts(tmp_path):
    first, second = tmp_path / "first.env", tmp_path / "second.env"

    made = make_compose_env(first)
    make_compose_env(second)
    result = docker_compose(first, "config")

    assert made.returncode == 0, made.stderr
    settings, other = read_env(first), read_env(second)
    chosen = [settings[name] for name in GENERATED]
    assert all(len(value) >= 16 for value in chosen)
    assert len(set(chosen)) == len(chosen)
    assert all(settings[name] != other[name] for name in SECRETS)
    assert f"admin / {settings['BOOKSHOP_ADMIN_PASSWORD']}" in made.stdout
    # Everything else is the example's, comments included.
    example = ENV_EXAMPLE.read_text().splitlines()
    assert [line for line in first.read_text().splitlines() if line not in example] == [
        f"{name}={settings[name]}" for name in GENERATED
    ]
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert result.returncode == 0, result.stderr


def test_make_compose_env_never_overwrites_an_env_file(tmp_path):
    env_file = tmp_path / ".env"
    make_compose_env(env_file)
    before = env_file.read_text()

    again = make_compose_env(env_file)

    assert again.returncode != 0
    assert f"{env_file} exists and was left as it is" in again.stderr
    assert env_file.read_text() == before


def test_env_example_commits_no_secret_and_names_every_setting_compose_reads():
    settings = example_settings()
    used = set(re.findall(r"\$\{(\w+)", COMPOSE.read_text()))

    assert all(settings[name] == "" for name in SECRETS)
    assert settings["BOOKSHOP_ADMIN_PASSWORD"] == ""
    assert used == set(settings)


def test_the_compose_file_follows_the_compose_specification():
    check = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(check), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_images_run_as_a_user_without_test_tools():
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text()
    stages = dict(re.findall(r"^FROM \S+ AS (\w+)\n(.*?)(?=^FROM |\Z)", dockerfile, re.M | re.S))

    assert set(stages) == {"build", "runtime", "store", "shop", "nginx"}
    assert "[test]" not in dockerfile
    for name in ("store", "shop"):
        assert "USER bookshop" in stages[name]
        assert "collectstatic" in stages[name]
        assert "HEALTHCHECK" in stages[name]
    assert "HEALTHCHECK" in stages["nginx"]
    # The build context is only what the images need: no tests, .env, .venv or var/.
    rules = [
        line for line in (REPO / ".dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]  # fmt: skip
    assert rules[0] == "*"
    assert {rule for rule in rules if rule.startswith("!")} == {
        "!pyproject.toml", "!README.md", "!requirements/constraints.txt", "!src/", "!deploy/",
    }  # fmt: skip


def test_the_operations_guide_names_every_setting_of_the_stack(config):
    guide = (REPO / "docs" / "operations.md").read_text()
    common = REPO / "src" / "bookshop" / "common"
    read_by_common = {
        name
        for source in (common / "conf.py", common / "settings.py")
        for name in re.findall(r"env\.\w+\(\s*[\"']([A-Z][A-Z0-9_]+)", source.read_text())
    }
    given_to_containers = {
        name
        for service in config["services"].values()
        for name in service.get("environment", {})
        if not name.startswith(("POSTGRES_", "RABBITMQ_", "BOOKSHOP_STORE_", "BOOKSHOP_SHOP_"))
    }
    names = read_by_common | given_to_containers | set(example_settings())

    assert read_by_common >= {"DJANGO_ENV", "HTTPS", "SECURE_HSTS_SECONDS", "EMAIL_HOST_USER"}
    assert sorted(name for name in names if f"`{name}`" not in guide) == []


def test_the_bootstrap_seeds_the_demo_only_when_asked(config):
    assert config["services"]["bootstrap"]["environment"]["BOOKSHOP_DEMO"] == "0"
