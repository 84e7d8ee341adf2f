"""Small real image files for upload tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (4, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=image_format)
    return buffer.getvalue()


def upload(name: str = "cover.png", image_format: str = "PNG", content: bytes | None = None):
    content = image_bytes(image_format) if content is None else content
    return SimpleUploadedFile(name, content, content_type=f"image/{image_format.lower()}")
