"""Generated covers: real images of the right shape, the same for the same book, different
between books, on their genre's palette, whatever the length of the title."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageChops

from bookshop.store.inventory.covers import (
    GENRES,
    HEIGHT,
    PALETTES,
    WIDTH,
    cover_image,
    cover_png,
)
from bookshop.store.inventory.validators import validate_book_image


def rgb(value: str) -> tuple[int, int, int]:
    return tuple(int(value[i : i + 2], 16) for i in (1, 3, 5))


def distance(a, b) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5


def test_a_cover_is_a_png_the_store_accepts_as_an_upload(settings):
    data = cover_png(title="Persuasion", author="Jane Austen", genre="Romance", seed="1")

    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size, image.mode) == ("PNG", (WIDTH, HEIGHT), "RGB")
    validate_book_image(SimpleUploadedFile("cover.png", data, content_type="image/png"))


def test_the_same_book_always_gets_the_same_cover():
    first = cover_png(title="Dracula", author="Bram Stoker", genre="Horror", seed="9798000000001")
    again = cover_png(title="Dracula", author="Bram Stoker", genre="Horror", seed="9798000000001")

    assert first == again


def test_the_title_is_drawn_on_the_cover():
    a = cover_image(title="Dracula", author="Bram Stoker", genre="Horror", seed="x")
    b = cover_image(title="Carmilla", author="Bram Stoker", genre="Horror", seed="x")

    # Same seed and genre, so the same layout: only the type differs, and it is visible.
    difference = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 60 else 0)
    assert difference.getbbox() is not None
    assert sum(difference.histogram()[255:]) > 2000


@pytest.mark.parametrize("genre", GENRES)
def test_the_background_comes_from_the_genres_palette(genre):
    for seed in ("1", "2", "3", "4"):
        image = cover_image(title="A Title", author="An Author", genre=genre, seed=seed)
        corner = image.getpixel((WIDTH - 4, HEIGHT - 4))  # away from the spine and the type
        nearest = min(distance(corner, rgb(p.background)) for p in PALETTES[genre])
        assert nearest < 40, (genre, seed, corner)


def test_books_of_one_genre_get_covers_that_differ():
    covers = {
        cover_png(title="The Moonstone", author="Wilkie Collins", genre="Mystery", seed=str(n))
        for n in range(12)
    }
    assert len(covers) == 12


@pytest.mark.parametrize(
    ("title", "author"),
    [
        ("A", ""),
        ("", "Anonymous"),
        ("Supercalifragilisticexpialidociousness", "Someone With An Exceptionally Long Name"),
        (" ".join(["Very long title"] * 30), "Anne Author"),
        ("Les Misérables; ou, Œuvres complètes — “Ærø”", "Ünïcødé Åuthor"),
    ],
)
def test_odd_titles_and_authors_still_make_a_cover(title, author):
    image = cover_image(title=title, author=author, genre=None, seed=title)

    assert image.size == (WIDTH, HEIGHT)
