"""Validation of what staff and clients upload: ISBNs and cover images."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from PIL import Image

from bookshop.common.languages import language_name

_ISBN_NOISE = re.compile(r"[\s-]")

# Pillow's names for the formats a browser shows everywhere.
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def normalize_isbn(value: str) -> str:
    """The ISBN without hyphens or spaces, with an upper-case check digit X."""
    return _ISBN_NOISE.sub("", value or "").upper()


def isbn_is_valid(value: str) -> bool:
    """True for a normalized ISBN-10 or ISBN-13 whose check digit is right."""
    if re.fullmatch(r"\d{9}[\dX]", value):
        digits = [10 if c == "X" else int(c) for c in value]
        return sum((10 - i) * d for i, d in enumerate(digits)) % 11 == 0
    if re.fullmatch(r"97[89]\d{10}", value):
        total = sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(value))
        return total % 10 == 0
    return False


def validate_isbn(value: str) -> None:
    """Reject anything but a valid ISBN-10 or ISBN-13 (hyphens and spaces allowed)."""
    if value and not isbn_is_valid(normalize_isbn(value)):
        raise ValidationError(
            "Enter a valid ISBN-10 or ISBN-13 (check digit included).", code="invalid_isbn"
        )


# The widest years a published_year may hold (the schema states these); within them,
# validate_published_year also refuses years after next year.
YEAR_MIN = -3000
YEAR_MAX = 9999


def validate_published_year(value: int | None) -> None:
    """A year of first publication: not after next year (announced books), not before
    written records (negative years are BCE)."""
    if value is None:
        return
    latest = timezone.now().year + 1
    if not YEAR_MIN <= value <= latest:
        raise ValidationError(f"Enter a year between {YEAR_MIN} and {latest}.", code="invalid_year")


def validate_language(value: str) -> None:
    """An ISO 639-1 code in lower case, such as en or fr."""
    if language_name(value) is None:
        raise ValidationError(
            f"{value!r} is not an ISO 639-1 language code (such as en, fr or de).",
            code="invalid_language",
        )


def validate_book_image(value: Any) -> None:
    """A cover must be a real JPEG, PNG, WebP or GIF no bigger than STORE_MAX_IMAGE_BYTES."""
    if getattr(value, "_committed", False):
        # Already stored: it was checked on upload, and re-reading every saved file on each
        # edit of the book would make an edit fail when storage is slow or a file is gone.
        return
    limit = settings.STORE_MAX_IMAGE_BYTES
    if value.size > limit:
        raise ValidationError(
            f"The image is {filesizeformat(value.size)}; the limit is {filesizeformat(limit)}.",
            code="image_too_large",
        )
    try:
        value.seek(0)
        with Image.open(value) as image:
            image_format = image.format
            image.verify()
    except Exception as exc:  # Pillow raises many types for broken or hostile files
        raise ValidationError(
            "Upload a valid image: JPEG, PNG, WebP or GIF.", code="invalid_image"
        ) from exc
    finally:
        value.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(
            f"{image_format} images are not accepted; use JPEG, PNG, WebP or GIF.",
            code="invalid_image_type",
        )
