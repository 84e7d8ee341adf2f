import pytest

from tests.store.factories import BookFactory
from tests.store.images import image_bytes, upload

pytestmark = pytest.mark.django_db


def test_the_store_serves_uploaded_covers_itself(staff_api, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORE_PUBLIC_URL = "http://127.0.0.1:8001"
    book = BookFactory()
    url = staff_api.patch(
        f"/api/v1/books/{book.pk}/", {"image": upload("c.jpg", "JPEG")}, format="multipart"
    ).json()["image"]

    response = client.get(url.removeprefix(settings.STORE_PUBLIC_URL))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == image_bytes("JPEG")


def test_media_outside_the_folder_is_not_served(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "secret.txt").write_text("no")

    assert client.get("/media/../secret.txt").status_code in (400, 404)
    assert client.get("/media/%2e%2e/secret.txt").status_code in (400, 404)
    assert client.get("/media/nothing-here.png").status_code == 404
