import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.authtoken.models import Token

User = get_user_model()


@pytest.fixture
def token_file(settings, tmp_path):
    settings.STORE_API_TOKEN_FILE = tmp_path / "store-api-token"
    settings.STORE_API_TOKEN = ""
    return settings.STORE_API_TOKEN_FILE


@pytest.mark.django_db
def test_bootstrap_creates_admin_and_service_account_with_token_file(
    token_file, monkeypatch, capsys
):
    monkeypatch.setenv("BOOKSHOP_ADMIN_USER", "boss")
    monkeypatch.setenv("BOOKSHOP_ADMIN_PASSWORD", "a-Long-password-1")

    call_command("bootstrap")

    admin = User.objects.get(username="boss")
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.check_password("a-Long-password-1")
    service = User.objects.get(username="shop-service")
    assert service.is_service_account
    assert not service.is_staff
    assert not service.has_usable_password()
    assert token_file.read_text() == Token.objects.get(user=service).key
    assert "a-Long-password-1" not in capsys.readouterr().out


@pytest.mark.django_db
def test_bootstrap_twice_keeps_the_token_and_the_generated_password(
    token_file, monkeypatch, capsys
):
    monkeypatch.delenv("BOOKSHOP_ADMIN_PASSWORD", raising=False)
    call_command("bootstrap")
    first_output = capsys.readouterr().out
    first_token = token_file.read_text()
    generated = first_output.split("admin password (generated): ")[1].split()[0]

    call_command("bootstrap")

    assert "generated" not in capsys.readouterr().out
    assert token_file.read_text() == first_token
    assert User.objects.get(username="admin").check_password(generated)
    assert Token.objects.count() == 1


@pytest.mark.django_db
def test_bootstrap_twice_with_the_password_given_keeps_the_admin_logged_in(
    token_file, monkeypatch, client
):
    monkeypatch.setenv("BOOKSHOP_ADMIN_PASSWORD", "a-Long-password-1")
    call_command("bootstrap")
    admin = User.objects.get(username="admin")
    client.force_login(admin)  # axes wants a request for a password login
    stored = admin.password

    call_command("bootstrap")

    assert User.objects.get(username="admin").password == stored
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_bootstrap_adopts_a_token_given_in_the_environment(token_file, settings):
    call_command("bootstrap")
    settings.STORE_API_TOKEN = "f" * 40

    call_command("bootstrap")

    assert Token.objects.get().key == "f" * 40
    assert token_file.read_text() == "f" * 40


@pytest.mark.django_db
def test_bootstrap_turns_a_person_named_like_the_service_into_a_service_account(token_file):
    User.objects.create_user("shop-service", password="a-Long-password-1", is_staff=True)

    call_command("bootstrap")

    service = User.objects.get(username="shop-service")
    assert service.is_service_account
    assert not service.is_staff
    assert not service.has_usable_password()


@pytest.mark.django_db
def test_bootstrap_adds_the_demo_catalogue_only_when_asked_and_only_once(
    token_file, settings, tmp_path, capsys
):
    from bookshop.store.inventory.models import Book

    settings.MEDIA_ROOT = tmp_path
    call_command("bootstrap")
    assert not Book.objects.exists()
    assert "demo catalogue" not in capsys.readouterr().out

    call_command("bootstrap", "--demo")
    count = Book.objects.count()
    assert count >= 95
    assert f"demo catalogue: added {count} books and " in capsys.readouterr().out

    call_command("bootstrap", "--demo")
    assert Book.objects.count() == count
    assert "demo catalogue: not added" in capsys.readouterr().out
