import pytest
from rest_framework.authtoken.models import Token

from tests.store.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_a_username_and_password_buy_a_token_that_works(api):
    staff = StaffFactory(username="clerk")

    response = api.post(
        "/api/v1/auth/token/", {"username": "clerk", "password": "a-Long-password-1"}
    )

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=staff).key}
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/me/").json() == {"username": "clerk", "role": "staff"}


def test_asking_twice_gives_the_same_token(api):
    StaffFactory(username="clerk")
    body = {"username": "clerk", "password": "a-Long-password-1"}

    assert (
        api.post("/api/v1/auth/token/", body).json() == api.post("/api/v1/auth/token/", body).json()
    )


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"username": "clerk", "password": "wrong"},
            {"non_field_errors": ["Unable to log in with the given username and password."]},
        ),
        ({"username": "clerk"}, {"password": ["This field is required."]}),
        ({}, {"username": ["This field is required."], "password": ["This field is required."]}),
    ],
)
def test_wrong_credentials_are_400(api, body, errors):
    StaffFactory(username="clerk")

    response = api.post("/api/v1/auth/token/", body)

    assert response.status_code == 400
    assert response.json() == errors
    assert not Token.objects.exists()


def _as(key: str):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_answers_as_its_account_in_one_query(service_account, django_assert_num_queries):
    client = _as(service_account.auth_token.key)
    client.get("/api/v1/me/")  # the first request of a process writes the statement

    with django_assert_num_queries(1):
        response = client.get("/api/v1/me/")

    assert response.json() == {"username": service_account.username, "role": "service"}


def test_the_token_and_its_user_are_loaded_as_the_orm_loads_them(service_account):
    from bookshop.store.api.authentication import token_with_user

    key = service_account.auth_token.key
    token = token_with_user(key)
    expected = Token.objects.select_related("user").get(key=key)

    assert (token.key, token.created, token.user_id) == (key, expected.created, expected.user_id)
    assert token.created.tzinfo is not None
    assert token.user == expected.user
    for field in token.user._meta.concrete_fields:
        assert getattr(token.user, field.attname) == getattr(expected.user, field.attname)
    assert token_with_user(key[::-1]) is None


@pytest.mark.parametrize(
    ("change", "detail"),
    [("wrong", "Invalid token."), ("inactive", "User inactive or deleted."),
     ("deleted", "Invalid token.")],
)  # fmt: skip
def test_a_wrong_deleted_or_inactive_token_is_401(service_account, change, detail):
    key = service_account.auth_token.key
    if change == "wrong":
        key = key[::-1]
    elif change == "inactive":
        service_account.is_active = False
        service_account.save()
    else:
        Token.objects.filter(key=key).delete()

    response = _as(key).get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["detail"] == detail
