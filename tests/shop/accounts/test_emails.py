"""Look-alike addresses: one spelling per mailbox wherever the shop stores an email."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from bookshop.shop.accounts.emails import email_normalize
from tests.shop.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
ZWSP = "\u200b"
FULL_WIDTH_BOB = "\uff42\uff4f\uff42@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.\uff43\uff4f\uff4d"
PASSWORD = "Analytical-Engine-1843"


def register(client, username, email):
    return client.post(
        "/accounts/register/",
        {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Bob@Example.COM", "Bob@example.com"),
        (FULL_WIDTH_BOB, "bob@example.com"),
        ("bob@xn--exmple-cua.com", "bob@ex\u00e4mple.com"),
        ("bob@EX\u00c4MPLE.com", "bob@ex\u00e4mple.com"),
    ],
)
def test_addresses_are_kept_in_one_spelling(typed, stored):
    assert email_normalize(typed) == stored


@pytest.mark.parametrize(
    "char", [ZWSP, "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u3164", "\ufe0f"]
)
def test_characters_that_cannot_be_seen_are_refused(char):
    with pytest.raises(ValidationError, match="cannot be seen"):
        email_normalize(f"bob@exa{char}mple.com")


def test_a_look_alike_of_a_registered_address_cannot_register(client):
    UserFactory(username="bob", email="bob@example.com")

    invisible = register(client, "mallory", f"bob@exa{ZWSP}mple.com")
    full_width = register(client, "mallory", FULL_WIDTH_BOB)

    assert "a character that cannot be seen (U+200B)" in invisible.content.decode()
    assert "A user with this email address already exists." in full_width.content.decode()
    assert list(User.objects.values_list("username", flat=True)) == ["bob"]


def test_registration_stores_the_normal_spelling(client):
    assert register(client, "ada", "Ada@Example.COM").status_code == 302

    assert User.objects.get(username="ada").email == "Ada@example.com"


def test_a_username_with_an_at_sign_is_refused(client):
    response = register(client, "ada@example.com", "ada@example.com")

    assert "A username cannot contain “@”" in response.content.decode()
    assert not User.objects.exists()


def test_the_profile_refuses_a_look_alike_and_stores_the_normal_spelling(client):
    UserFactory(username="bob", email="bob@example.com")
    grace = UserFactory(username="grace", email="grace@example.com")
    client.force_login(grace)
    details = {"first_name": "Grace", "last_name": "Hopper"}

    taken = client.post("/accounts/profile/", {**details, "email": FULL_WIDTH_BOB})
    hidden = client.post("/accounts/profile/", {**details, "email": f"grace{ZWSP}@navy.mil"})
    saved = client.post("/accounts/profile/", {**details, "email": "Grace@NAVY.mil"})

    assert "A user with this email address already exists." in taken.content.decode()
    assert "cannot be seen (U+200B)" in hidden.content.decode()
    assert saved.status_code == 302
    grace.refresh_from_db()
    assert grace.email == "Grace@navy.mil"


def test_the_admin_refuses_a_look_alike_and_stores_the_normal_spelling(admin_client):
    UserFactory(username="bob", email="bob@example.com")
    grace = UserFactory(username="grace", email="grace@example.com")
    url = f"/admin/accounts/user/{grace.pk}/change/"
    form = {
        "username": "grace",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }

    for email, error in [
        (f"bob@exa{ZWSP}mple.com", "cannot be seen (U+200B)"),
        (FULL_WIDTH_BOB, "A user with this email address already exists."),
        ("BOB@example.com", "A user with this email address already exists."),
    ]:
        response = admin_client.post(url, {**form, "email": email})
        assert response.status_code == 200
        assert error in response.content.decode()
    assert admin_client.post(url, {**form, "email": "Grace@NAVY.mil"}).status_code == 302
    grace.refresh_from_db()
    assert grace.email == "Grace@navy.mil"


def test_the_database_refuses_the_same_address_in_another_case():
    UserFactory(username="bob", email="bob@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="mallory", email="BOB@EXAMPLE.COM")


def test_any_save_stores_the_normal_spelling_and_refuses_invisible_characters():
    user = UserFactory(username="grace")
    user.email = "Grace@NAVY.MIL"
    user.save()
    User.objects.filter(pk=user.pk).update(email="\uff47race@Navy.mil")

    assert User.objects.values_list("email", flat=True).get() == "grace@navy.mil"
    user.email = f"grace@navy{ZWSP}.mil"
    with pytest.raises(ValidationError):
        user.save()


def test_create_user_stores_the_normal_spelling():
    user = User.objects.create_user("ada", email="\uff41\uff44\uff41@Example.COM")

    assert user.email == "ada@example.com"


# -- logging in with username or email --------------------------------------------------------


@pytest.mark.parametrize("login", ["grace", "grace@example.com", "GRACE@Example.com"])
def test_customers_log_in_with_username_or_email(client, login):
    UserFactory(username="grace", email="grace@example.com")

    response = client.post("/accounts/login/", {"username": login, "password": "a-Long-password-1"})

    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200


@pytest.mark.parametrize("login", [f"grace@exa{ZWSP}mple.com", "grace@example.co", "nobody"])
def test_a_login_naming_no_account_is_refused(client, login):
    UserFactory(username="grace", email="grace@example.com")

    response = client.post("/accounts/login/", {"username": login, "password": "a-Long-password-1"})

    assert response.status_code == 200
    assert "Please enter a correct username or email and password." in response.content.decode()


def test_the_login_page_asks_for_username_or_email(client):
    assert ">Username or email</label>" in client.get("/accounts/login/").content.decode()


def test_password_reset_finds_the_account_by_its_normal_spelling(client, mailoutbox):
    UserFactory(username="bob", email="bob@example.com")

    client.post("/accounts/password_reset/", {"email": FULL_WIDTH_BOB})

    assert [message.to for message in mailoutbox] == [["bob@example.com"]]


# -- the data migration -----------------------------------------------------------------------


def stored(**emails):
    """Accounts whose addresses were stored before the rules: the field normalises every
    value it writes, so they go in by SQL."""
    users = {}
    with connection.cursor() as cursor:
        for username, email in emails.items():
            user = UserFactory(username=username, email=f"{username}@placeholder.test")
            cursor.execute("UPDATE accounts_user SET email = %s WHERE id = %s", [email, user.pk])
            users[username] = user
    return users


def test_the_migration_clears_look_alikes_and_keeps_every_account(capsys):
    from importlib import import_module

    migration = import_module("bookshop.shop.accounts.migrations.0002_email_normalised")
    users = stored(
        mallory=FULL_WIDTH_BOB,  # older, a look-alike of bob's
        bob="bob@example.com",
        eve=f"bob@exa{ZWSP}mple.com",  # refused by the new rules
        ada="ada@EXAMPLE.com",  # alone: rewritten
        carol="\uff43arol@example.com",
        carol2="carol@EXAMPLE.com",  # neither in normal form: the older one keeps it
    )

    migration.normalise_emails(apps, None)

    emails = dict(User.objects.values_list("username", "email"))
    assert emails == {
        "mallory": "",
        "bob": "bob@example.com",
        "eve": "",
        "ada": "ada@example.com",
        "carol": "carol@example.com",
        "carol2": "",
    }
    assert User.objects.count() == len(users)
    cleared = sorted(users[name].pk for name in ("mallory", "eve", "carol2"))
    assert f"ids {cleared}" in capsys.readouterr().out
