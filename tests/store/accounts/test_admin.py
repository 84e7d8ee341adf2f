import pytest
from rest_framework.authtoken.models import Token

from tests.store.forms import form_data

pytestmark = pytest.mark.django_db


def test_the_token_list_shows_every_key(admin_client, service_account):
    page = admin_client.get("/admin/authtoken/tokenproxy/").content.decode()

    assert service_account.auth_token.key in page


def test_a_token_is_visible_on_its_account_and_revoked_from_there(
    admin_client, service_account, service_api
):
    url = f"/admin/accounts/user/{service_account.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert service_account.auth_token.key in page
    data = form_data(page, "user_form")
    data["auth_token-0-DELETE"] = "on"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert not Token.objects.filter(user=service_account).exists()
    assert service_api.get("/api/v1/me/").status_code == 401
