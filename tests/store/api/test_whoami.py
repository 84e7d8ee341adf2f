import pytest


@pytest.mark.django_db
def test_whoami_without_credentials_is_401(api):
    response = api.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.django_db
def test_whoami_with_a_wrong_token_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    assert api.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_whoami_names_the_service_account_behind_a_token(service_api, service_account):
    response = service_api.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json() == {"username": service_account.username, "role": "service"}


@pytest.mark.django_db
def test_whoami_names_staff(staff_api, staff):
    assert staff_api.get("/api/v1/me/").json() == {"username": staff.username, "role": "staff"}
