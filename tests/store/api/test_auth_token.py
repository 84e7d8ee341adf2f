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
