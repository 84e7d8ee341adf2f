import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


@pytest.mark.django_db
def test_bootstrap_creates_the_shop_admin(monkeypatch):
    monkeypatch.setenv("BOOKSHOP_ADMIN_USER", "boss")
    monkeypatch.setenv("BOOKSHOP_ADMIN_PASSWORD", "a-Long-password-1")

    call_command("bootstrap")
    call_command("bootstrap")

    admin = get_user_model().objects.get(username="boss")
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.check_password("a-Long-password-1")


@pytest.mark.django_db
def test_bootstrap_with_migrate_applies_migrations_first(capsys, monkeypatch):
    monkeypatch.setenv("BOOKSHOP_ADMIN_PASSWORD", "a-Long-password-1")

    call_command("bootstrap", "--migrate")

    assert "shop admin 'admin'" in capsys.readouterr().out
