import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.core import mail

from bookshop.devserver.mail import CatchAllHandler
from bookshop.devserver.mailstore import MailStore
from tests.shop.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "a-Long-password-1"


def register(client, **overrides):
    data = {
        "username": "ada",
        "email": "ada@example.com",
        "password1": "Analytical-Engine-1843",
        "password2": "Analytical-Engine-1843",
    }
    data.update(overrides)
    return client.post("/accounts/register/", data)


def test_register_page_labels_every_field(client):
    page = client.get("/accounts/register/").content.decode()

    for label in ("Username", "Email", "Password", "Password confirmation"):
        assert f">{label}</label>" in page or f">{label} <span" in page
    assert "<title>Register · Bookshop</title>" in page


def test_register_creates_the_account_and_logs_in(client):
    response = register(client)

    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(username="ada")
    assert user.email == "ada@example.com"
    page = client.get("/").content.decode()
    assert "Welcome to the shop, ada!" in page
    assert "Log out" in page
    assert ">Register<" not in page


def test_register_follows_a_safe_next_and_ignores_another_site(client):
    assert register(client, next="/books/1/")["Location"] == "/books/1/"
    client.logout()
    response = register(client, username="bob", email="bob@example.com", next="https://evil.test/")
    assert response["Location"] == "/"


def test_register_requires_an_email(client):
    response = register(client, email="")

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not User.objects.filter(username="ada").exists()


def test_register_refuses_an_email_taken_in_another_case(client):
    UserFactory(username="first", email="ada@example.com")

    response = register(client, email="ADA@Example.COM")

    assert response.status_code == 200
    assert "A user with this email address already exists." in response.content.decode()
    assert not User.objects.filter(username="ada").exists()


def test_register_applies_the_password_validators(client):
    response = register(client, password1="12345678", password2="12345678")

    page = response.content.decode()
    assert "This password is too common." in page
    assert "This password is entirely numeric." in page


def test_login_and_logout(client):
    UserFactory(username="grace")

    response = client.post("/accounts/login/", {"username": "grace", "password": PASSWORD})
    assert response.status_code == 302
    assert "Log out" in client.get("/").content.decode()

    assert client.get("/accounts/logout/").status_code == 405  # logging out takes a POST
    response = client.post("/accounts/logout/", follow=True)
    page = response.content.decode()
    assert "You have been logged out." in page
    assert "Log in" in page


def test_login_with_a_wrong_password_says_so(client):
    UserFactory(username="grace")

    response = client.post("/accounts/login/", {"username": "grace", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username or email and password." in response.content.decode()


def test_login_returns_to_next(client):
    UserFactory(username="grace")

    response = client.post(
        "/accounts/login/", {"username": "grace", "password": PASSWORD, "next": "/books/3/"}
    )

    assert response["Location"] == "/books/3/"


def test_profile_requires_login_and_shows_only_its_owner(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"

    UserFactory(username="someone", email="someone@example.com")
    client.force_login(UserFactory(username="grace", email="grace@example.com"))
    page = client.get("/accounts/profile/").content.decode()
    assert "grace@example.com" in page
    assert "someone@example.com" not in page


def test_profile_changes_are_saved_and_validated(client):
    UserFactory(username="other", email="taken@example.com")
    user = UserFactory(username="grace")
    client.force_login(user)

    response = client.post(
        "/accounts/profile/",
        {"first_name": "Grace", "last_name": "Hopper", "email": "Taken@example.com"},
    )
    assert "A user with this email address already exists." in response.content.decode()

    response = client.post(
        "/accounts/profile/",
        {"first_name": "Grace", "last_name": "Hopper", "email": "grace@navy.example"},
        follow=True,
    )
    assert "Your profile has been saved." in response.content.decode()
    user.refresh_from_db()
    assert (user.get_full_name(), user.email) == ("Grace Hopper", "grace@navy.example")


def test_password_change(client):
    user = UserFactory(username="grace")
    client.force_login(user)

    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "Compiler-Pioneer-1952",
            "new_password2": "Compiler-Pioneer-1952",
        },
        follow=True,
    )

    assert "Password changed" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("Compiler-Pioneer-1952")


def _reset_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/reset/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_password_reset_by_email(client):
    UserFactory(username="grace", email="grace@example.com")

    response = client.post("/accounts/password_reset/", {"email": "GRACE@example.com"}, follow=True)

    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["grace@example.com"]
    assert message.subject == "Reset your Bookshop password"
    assert "Hello grace," in message.body

    form = client.get(_reset_link(message.body), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Fresh-Start-2025", "new_password2": "Fresh-Start-2025"},
        follow=True,
    )
    assert "Your password has been set" in done.content.decode()
    client.logout()
    login = client.post("/accounts/login/", {"username": "grace", "password": "Fresh-Start-2025"})
    assert login.status_code == 302


def test_password_reset_for_an_unknown_email_sends_nothing_and_reveals_nothing(client):
    response = client.post(
        "/accounts/password_reset/", {"email": "nobody@example.com"}, follow=True
    )

    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_password_reset_mail_reaches_a_real_smtp_catcher(client, settings, tmp_path):
    """One real SMTP round trip, through the same catcher `bookshop up` runs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = MailStore(tmp_path / "maildir")
    controller = Controller(CatchAllHandler(store), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        UserFactory(username="grace", email="grace@example.com")

        client.post("/accounts/password_reset/", {"email": "grace@example.com"})
    finally:
        controller.stop()

    [received] = store.all()
    assert received.envelope_to == ["grace@example.com"]
    assert received.subject == "Reset your Bookshop password"
    assert "/accounts/reset/" in received.text()


def test_log_in_from_a_search_comes_back_to_the_search(client):
    page = client.get("/", {"q": "dune"}).content.decode()

    assert 'href="/accounts/login/?next=/%3Fq%3Ddune"' in page


def test_the_log_in_page_does_not_send_back_to_itself(client):
    page = client.get("/accounts/login/").content.decode()

    assert "?next=/accounts/login/" not in page
