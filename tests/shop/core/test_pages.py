import pytest
from django.template import loader


def test_500_page_renders_without_a_request_context():
    page = loader.get_template("500.html").render()

    assert "Sorry, something went wrong on our side" in page
    assert "/static/bootstrap/css/bootstrap.min.css" in page


@pytest.mark.django_db
def test_unknown_url_is_a_friendly_404(client, settings):
    settings.DEBUG = False

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "<title>Page not found · Bookshop</title>" in response.content.decode()
