import pytest


@pytest.mark.django_db
def test_the_store_s_address_leads_to_the_admin(client):
    response = client.get("/", follow=True)

    assert response.redirect_chain[0] == ("/admin/", 302)
    assert response.status_code == 200
    assert "Log in" in response.content.decode()


@pytest.mark.django_db
def test_the_admin_s_view_site_link_opens_the_api_docs(client, staff):
    client.force_login(staff)

    page = client.get("/admin/").content.decode()
    docs = client.get("/api/docs/")

    assert '<a href="/api/docs/">View site</a>' in page
    assert docs.status_code == 200
