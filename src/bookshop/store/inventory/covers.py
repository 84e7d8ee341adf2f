"""Generated book covers: the title and author set in Source Serif Pro on a genre's palette.

Every choice that is not the text (palette, layout, ornament, shade) is drawn from a random
generator seeded by the book's ISBN, so a book always gets the same cover and two books
almost never get the same one. Drawn at twice the size and scaled down, so shapes have
smooth edges like the type.
"""

from __future__ import annotations

import colorsys
import io
import math
import os
import random
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 480, 720  # 2:3, as the shop shows covers; sharp at 240 CSS px on 2x screens
SCALE = 2
RGB = tuple[int, int, int]

_FONT_FILES = resources.files("font_source_serif_pro") / "files"
WEIGHTS = {
    "light": "SourceSerifPro-Light.ttf",
    "regular": "SourceSerifPro-Regular.ttf",
    "italic": "SourceSerifPro-It.ttf",
    "semibold": "SourceSerifPro-Semibold.ttf",
    "bold": "SourceSerifPro-Bold.ttf",
    "black": "SourceSerifPro-Black.ttf",
}


@dataclass(frozen=True)
class Palette:
    background: str
    accent: str
    ink: str  # the text colour on the background


def _palettes(*triples: tuple[str, str, str]) -> tuple[Palette, ...]:
    return tuple(Palette(*triple) for triple in triples)


# The genres the demo catalogue uses, each with a few palettes in its own mood.
PALETTES: dict[str, tuple[Palette, ...]] = {
    "Adventure": _palettes(
        ("#1f4e5a", "#e0a43a", "#f4ead5"), ("#8c3b24", "#f0c987", "#fbf1e0"),
        ("#2f5d3a", "#e8c468", "#f3eed8"),
    ),
    "Children's": _palettes(
        ("#f2c14e", "#d1495b", "#2b2d42"), ("#7fb7be", "#f25f5c", "#1d3557"),
        ("#f4a259", "#5b8e7d", "#2a2118"),
    ),
    "Drama": _palettes(
        ("#7a1f2b", "#d9b26f", "#f6ecd9"), ("#4a2040", "#e8b4bc", "#fbeff2"),
    ),
    "Fantasy": _palettes(
        ("#2e2a5e", "#c9a74a", "#efe6c8"), ("#1e4d3a", "#d8c07a", "#eef0e0"),
        ("#503a6b", "#9fd3c7", "#f1ebf6"),
    ),
    "Horror": _palettes(
        ("#1b1b1f", "#a4161a", "#e9e3d6"), ("#2d1e2f", "#9c9c6e", "#e6e1d3"),
        ("#2b2e2a", "#c2b280", "#ece6d6"),
    ),
    "Historical Fiction": _palettes(
        ("#6b4f3a", "#e3c08d", "#f7ecda"), ("#34495e", "#c8a165", "#f2ead8"),
        ("#5e3a2f", "#d8b384", "#f6eadb"),
    ),
    "Literary Fiction": _palettes(
        ("#efe6d4", "#9b2915", "#2a2522"), ("#c9d3c0", "#3d5a40", "#1f2a22"),
        ("#22304a", "#e2b65b", "#f3ecdc"), ("#e4d6c3", "#35524a", "#2b2723"),
    ),
    "Mystery": _palettes(
        ("#17302b", "#d4a24c", "#eee6d0"), ("#4f5d66", "#f2d388", "#f5f1e6"),
        ("#2a2438", "#d9c27e", "#efe9dc"),
    ),
    "Non-fiction": _palettes(
        ("#f3efe6", "#1d6f8a", "#1c2a33"), ("#5b6236", "#e9d8a6", "#f7f3e3"),
        ("#dfe7e2", "#8a3b12", "#1f2725"),
    ),
    "Philosophy": _palettes(
        ("#d8d2c4", "#3b3b58", "#23232f"), ("#222222", "#c7b37a", "#efe9da"),
    ),
    "Poetry": _palettes(
        ("#e8c5c1", "#6d2e46", "#3a1f2b"), ("#b8b3d6", "#40356f", "#221c3d"),
        ("#d7e3d0", "#7a4e6d", "#25301f"),
    ),
    "Romance": _palettes(
        ("#8e2c48", "#f3c6a5", "#fbeee8"), ("#f1d3ce", "#a23e48", "#3d1d22"),
    ),
    "Satire": _palettes(
        ("#d9a21b", "#1b1b1b", "#1b1b1b"), ("#c8412c", "#f5e6c8", "#fdf6e8"),
    ),
    "Science Fiction": _palettes(
        ("#0f1b2d", "#4fd1c5", "#e6f1f5"), ("#3c1f5c", "#ff9f68", "#f4ecf7"),
        ("#102a2c", "#e4f36b", "#e9f4ee"),
    ),
    "Short Stories": _palettes(
        ("#a9cfc7", "#c2523c", "#1f2e2b"), ("#b7791f", "#2f2b26", "#fbf3e4"),
    ),
}  # fmt: skip
GENRES = tuple(PALETTES)
# Books of another genre, or none (populate_db's), get one of these.
DEFAULT_PALETTES = tuple(palette for palettes in PALETTES.values() for palette in palettes)


# -- colour ----------------------------------------------------------------------------------


def _rgb(value: str) -> RGB:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _shade(color: RGB, amount: float) -> RGB:
    """Lighter (amount > 0) or darker (amount < 0), keeping the hue."""
    h, lightness, s = colorsys.rgb_to_hls(*(c / 255 for c in color))
    lightness = min(1.0, max(0.0, lightness + amount))
    return tuple(round(c * 255) for c in colorsys.hls_to_rgb(h, lightness, s))  # type: ignore[return-value]


def _luminance(color: RGB) -> float:
    def channel(c: int) -> float:
        c_ = c / 255
        return c_ / 12.92 if c_ <= 0.03928 else ((c_ + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _text_on(color: RGB) -> RGB:
    """Cream on dark colours, near-black on light ones."""
    return (250, 245, 235) if _luminance(color) < 0.3 else (28, 26, 24)


# -- type ------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    with resources.as_file(_FONT_FILES / WEIGHTS[weight]) as path:
        return ImageFont.truetype(str(path), size)


def _wrap(words: Sequence[str], font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


@dataclass(frozen=True)
class _Block:
    lines: list[str]
    font: ImageFont.FreeTypeFont
    leading: float

    @property
    def height(self) -> float:
        return self.leading * len(self.lines)


def _fit(
    text: str, weight: str, *, width: float, height: float, largest: int, smallest: int
) -> _Block:
    """The largest size at which `text` wraps into the box, its lines balanced in length."""
    words = text.split()
    for size in range(largest, smallest - 1, -2 * SCALE):
        font = _font(weight, size)
        leading = size * 1.12
        lines = _wrap(words, font, width)
        widest_word = max(font.getlength(word) for word in words)
        # A short word alone on a line ("in", "of") reads as a stray: try a smaller size.
        stray = len(lines) > 1 and any(" " not in line and len(line) <= 3 for line in lines)
        if widest_word <= width and leading * len(lines) <= height and not stray:
            # Narrow the measure while the line count holds: no long line over a short one.
            measure = width
            while measure > widest_word:
                narrower = _wrap(words, font, measure - 8 * SCALE)
                if len(narrower) > len(lines):
                    break
                lines, measure = narrower, measure - 8 * SCALE
            return _Block(lines, font, leading)
    # Too long even at the smallest size: as many lines as fit, the last one cut short.
    font = _font(weight, smallest)
    leading = smallest * 1.12
    lines = _wrap(words, font, width)
    room = max(1, int(height // leading))
    if len(lines) > room:
        lines = lines[:room]
        while font.getlength(lines[-1] + "…") > width and " " in lines[-1]:
            lines[-1] = lines[-1].rsplit(" ", 1)[0]
        lines[-1] += "…"
    return _Block(lines, font, leading)


def _draw_block(
    draw: ImageDraw.ImageDraw, block: _Block, centre_x: float, top: float, fill: RGB
) -> None:
    ascent = block.font.getmetrics()[0]
    for n, line in enumerate(block.lines):
        baseline = top + n * block.leading + ascent * 0.92
        draw.text((centre_x, baseline), line, font=block.font, fill=fill, anchor="ms")


def _draw_tracked(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont,
    centre_x: float,
    baseline: float,
    fill: RGB,
    tracking: float,
) -> None:
    """Capitals spaced out, as author names are set on many covers."""
    advances = [font.getlength(char) for char in text]
    total = sum(advances) + tracking * (len(text) - 1)
    x = centre_x - total / 2
    for char, advance in zip(text, advances, strict=True):
        draw.text((x, baseline), char, font=font, fill=fill, anchor="ls")
        x += advance + tracking


def _author_font(author: str, width: float, weight: str, largest: int) -> tuple[str, int]:
    text = author.upper()
    size = largest
    while size > 12 * SCALE:
        font = _font(weight, size)
        tracked = sum(font.getlength(c) for c in text) + size * 0.12 * (len(text) - 1)
        if tracked <= width:
            break
        size -= SCALE
    return text, size


# -- ornaments -------------------------------------------------------------------------------


def _diamond(draw: ImageDraw.ImageDraw, x: float, y: float, r: float, fill: RGB) -> None:
    draw.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], fill=fill)


def _ornament_dots(
    draw: ImageDraw.ImageDraw, x: float, y: float, fill: RGB, rng: random.Random
) -> None:
    r = rng.choice((5, 6, 7)) * SCALE
    for dx in (-4 * r, 0, 4 * r):
        draw.ellipse([x + dx - r, y - r, x + dx + r, y + r], fill=fill)


def _ornament_diamonds(
    draw: ImageDraw.ImageDraw, x: float, y: float, fill: RGB, rng: random.Random
) -> None:
    r = rng.choice((8, 10, 12)) * SCALE
    _diamond(draw, x, y, r, fill)
    _diamond(draw, x - 3 * r, y, r * 0.5, fill)
    _diamond(draw, x + 3 * r, y, r * 0.5, fill)


def _ornament_rule(
    draw: ImageDraw.ImageDraw, x: float, y: float, fill: RGB, rng: random.Random
) -> None:
    half = rng.choice((50, 70, 90)) * SCALE
    draw.rectangle([x - half, y - SCALE, x + half, y + SCALE], fill=fill)
    r = 7 * SCALE
    draw.ellipse([x - r, y - r, x + r, y + r], outline=fill, width=2 * SCALE)


def _ornament_star(
    draw: ImageDraw.ImageDraw, x: float, y: float, fill: RGB, rng: random.Random
) -> None:
    points = rng.choice((5, 6, 8))
    outer, inner = 18 * SCALE, 7 * SCALE
    vertices = []
    for n in range(points * 2):
        angle = math.pi * n / points - math.pi / 2
        radius = outer if n % 2 == 0 else inner
        vertices.append((x + radius * math.cos(angle), y + radius * math.sin(angle)))
    draw.polygon(vertices, fill=fill)


ORNAMENTS: tuple[Callable[..., None], ...] = (
    _ornament_dots,
    _ornament_diamonds,
    _ornament_rule,
    _ornament_star,
)


def _pattern(
    draw: ImageDraw.ImageDraw,
    box: tuple[float, float, float, float],
    fill: RGB,
    rng: random.Random,
) -> None:
    """A field of small repeated shapes, the kind printed on cloth bindings."""
    left, top, right, bottom = box
    kind = rng.choice(("dots", "diamonds", "waves", "grid"))
    step = rng.choice((28, 34, 40)) * SCALE
    y, row = top + step / 2, 0
    while y < bottom:
        x = left + (step / 2 if row % 2 else 0) + step / 4
        while x < right:
            if kind == "dots":
                r = step * 0.14
                draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)
            elif kind == "diamonds":
                _diamond(draw, x, y, step * 0.22, fill)
            elif kind == "waves":
                draw.arc([x - step / 2, y - step / 4, x + step / 2, y + step / 4], 0, 180,
                         fill=fill, width=2 * SCALE)  # fmt: skip
            else:
                draw.rectangle([x - step * 0.3, y - step * 0.3, x + step * 0.3, y + step * 0.3],
                               outline=fill, width=2 * SCALE)  # fmt: skip
            x += step
        y += step * 0.8
        row += 1


# -- layouts ---------------------------------------------------------------------------------


@dataclass
class _Canvas:
    image: Image.Image
    draw: ImageDraw.ImageDraw
    background: RGB
    accent: RGB
    ink: RGB
    rng: random.Random

    @property
    def w(self) -> int:
        return self.image.width

    @property
    def h(self) -> int:
        return self.image.height


def _split_title(title: str) -> tuple[str, str]:
    """ "Frankenstein; or, The Modern Prometheus" -> the title and its subtitle."""
    for mark in ("; ", ": "):
        main, found, rest = title.partition(mark)
        if found and main and rest:
            return main, rest
    return title, ""


def _title_and_author(
    c: _Canvas,
    title: str,
    author: str,
    *,
    top: float,
    bottom: float,
    colour: RGB,
    margin: float,
    weight: str,
    author_at: float | None,
    author_colour: RGB | None = None,
) -> float:
    """Set the title (and its subtitle, smaller, in italics) centred between top and bottom;
    the author at `author_at`, or under the title. Returns where the title ends."""
    main, subtitle = _split_title(title)
    width, room = c.w - 2 * margin, bottom - top
    block = _fit(main, weight, width=width, height=room * (0.7 if subtitle else 1),
                 largest=64 * SCALE, smallest=24 * SCALE)  # fmt: skip
    blocks = [block]
    if subtitle:
        size = max(16 * SCALE, min(30 * SCALE, int(block.font.size * 0.55)))
        blocks.append(_fit(subtitle, "italic", width=width, height=room * 0.28,
                           largest=size, smallest=16 * SCALE))  # fmt: skip
    gap = 14 * SCALE
    total = sum(b.height for b in blocks) + gap * (len(blocks) - 1)
    y = top + (room - total) / 2
    for b in blocks:
        _draw_block(c.draw, b, c.w / 2, y, colour)
        y += b.height + gap
    end = y - gap
    text, size = _author_font(author, width, "semibold", 22 * SCALE)
    if author_at is None:  # under the title, after a short rule
        rule = end + 26 * SCALE
        c.draw.rectangle([c.w / 2 - 24 * SCALE, rule, c.w / 2 + 24 * SCALE, rule + SCALE],
                         fill=author_colour or colour)  # fmt: skip
        author_at = rule + 44 * SCALE
    baseline = author_at
    _draw_tracked(c.draw, text, _font("semibold", size), c.w / 2, baseline,
                  author_colour or colour, size * 0.12)  # fmt: skip
    return end


def _layout_framed(c: _Canvas, title: str, author: str) -> None:
    inset = c.rng.choice((26, 32, 38)) * SCALE
    c.draw.rectangle([inset, inset, c.w - inset, c.h - inset], outline=c.accent, width=3 * SCALE)
    gap = 7 * SCALE
    c.draw.rectangle([inset + gap, inset + gap, c.w - inset - gap, c.h - inset - gap],
                     outline=c.accent, width=SCALE)  # fmt: skip
    margin = inset + 34 * SCALE
    end = _title_and_author(c, title, author, top=c.h * 0.16, bottom=c.h * 0.58, colour=c.ink,
                            margin=margin, weight=c.rng.choice(("semibold", "bold")),
                            author_at=None)  # fmt: skip
    c.rng.choice(ORNAMENTS)(c.draw, c.w / 2, max(end + 110 * SCALE, c.h * 0.8), c.accent, c.rng)


def _layout_band(c: _Canvas, title: str, author: str) -> None:
    band_top, band_bottom = c.h * c.rng.uniform(0.3, 0.36), c.h * c.rng.uniform(0.7, 0.74)
    _pattern(c.draw, (0, 0, c.w, band_top - 16 * SCALE), _shade(c.background, 0.07), c.rng)
    c.draw.rectangle([0, band_top, c.w, band_bottom], fill=c.accent)
    c.draw.rectangle([0, band_top - 10 * SCALE, c.w, band_top - 6 * SCALE], fill=c.accent)
    on_band = _text_on(c.accent)
    _title_and_author(c, title, author, top=band_top + 24 * SCALE,
                      bottom=band_bottom - 24 * SCALE, colour=on_band, margin=44 * SCALE,
                      weight=c.rng.choice(("bold", "black")), author_at=c.h * 0.86,
                      author_colour=c.ink)  # fmt: skip


def _layout_block(c: _Canvas, title: str, author: str) -> None:
    split = c.h * c.rng.uniform(0.62, 0.68)
    block = _shade(c.background, -0.12 if _luminance(c.background) > 0.2 else 0.1)
    c.draw.rectangle([0, 0, c.w, split], fill=block)
    on_block = _text_on(block)
    _title_and_author(c, title, author, top=c.h * 0.12, bottom=split - 60 * SCALE,
                      colour=on_block, margin=46 * SCALE,
                      weight=c.rng.choice(("semibold", "bold", "black")),
                      author_at=c.h * 0.85, author_colour=c.ink)  # fmt: skip
    r = c.rng.choice((26, 32, 38)) * SCALE
    cx = c.w / 2
    c.draw.ellipse([cx - r, split - r, cx + r, split + r], fill=c.accent)
    _diamond(c.draw, cx, split, r * 0.45, block)


def _layout_stripes(c: _Canvas, title: str, author: str) -> None:
    stripe = _shade(c.background, 0.06 if _luminance(c.background) < 0.3 else -0.06)
    step = c.rng.choice((24, 30, 36)) * SCALE
    limit = c.h * 0.4
    for x in range(-int(limit), c.w, step):
        c.draw.polygon([(x, limit), (x + step / 2, limit), (x + step / 2 + limit, 0),
                        (x + limit, 0)], fill=stripe)  # fmt: skip
    c.draw.rectangle([0, limit, c.w, limit + 6 * SCALE], fill=c.accent)
    _title_and_author(c, title, author, top=limit + 50 * SCALE, bottom=c.h * 0.86,
                      colour=c.ink, margin=44 * SCALE, weight=c.rng.choice(("semibold", "bold")),
                      author_at=c.h * 0.93)  # fmt: skip


LAYOUTS = (_layout_framed, _layout_band, _layout_block, _layout_stripes)


# -- the cover -------------------------------------------------------------------------------


def cover_image(*, title: str, author: str, genre: str | None = None, seed: str) -> Image.Image:
    """The cover of one book, WIDTH x HEIGHT, the same every time for the same seed."""
    rng = random.Random(f"{seed}|{title}|{author}")  # noqa: S311 - looks, not secrets
    palette = rng.choice(PALETTES.get(genre or "", DEFAULT_PALETTES))
    base = _rgb(palette.background)
    background = _shade(base, rng.uniform(-0.04, 0.04))
    w, h = WIDTH * SCALE, HEIGHT * SCALE
    # A slight vertical fall of light, as on a printed board: one column, widened.
    column = Image.linear_gradient("L").resize((1, h))
    image = Image.composite(
        Image.new("RGB", (1, h), _shade(background, -0.05)),
        Image.new("RGB", (1, h), _shade(background, 0.03)),
        column,
    ).resize((w, h), Image.Resampling.NEAREST)
    canvas = _Canvas(
        image=image,
        draw=ImageDraw.Draw(image),
        background=background,
        accent=_rgb(palette.accent),
        ink=_rgb(palette.ink),
        rng=rng,
    )
    rng.choice(LAYOUTS)(canvas, title.strip() or "Untitled", author.strip() or "Anonymous")
    # The spine's fold.
    spine = 16 * SCALE
    canvas.draw.rectangle([0, 0, spine, h], fill=_shade(background, -0.1))
    canvas.draw.rectangle([spine, 0, spine + SCALE, h], fill=_shade(background, 0.08))
    return image.reduce(SCALE)


def cover_png(*, title: str, author: str, genre: str | None = None, seed: str) -> bytes:
    """The cover as PNG bytes."""
    buffer = io.BytesIO()
    cover_image(title=title, author=author, genre=genre, seed=seed).save(
        buffer, format="PNG", optimize=False, compress_level=6
    )
    return buffer.getvalue()


@dataclass(frozen=True)
class CoverSpec:
    """What one cover is drawn from."""

    title: str
    author: str
    seed: str
    genre: str | None = None


def _render(spec: CoverSpec) -> bytes:
    return cover_png(title=spec.title, author=spec.author, genre=spec.genre, seed=spec.seed)


def covers_render(specs: Sequence[CoverSpec], *, workers: int | None = None) -> Iterator[bytes]:
    """PNG covers for many books, in order, drawn by `workers` processes (default: one per
    core; 1 draws them here). Drawing is CPU-bound, so threads would not help."""
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(specs) < 2 * workers:
        yield from map(_render, specs)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_render, specs, chunksize=max(1, len(specs) // (workers * 8)))
