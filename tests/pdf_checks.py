"""Measuring a PDF's legibility the way a reader meets it: the text poppler extracts (in reading
order), and the pixels of the page rendered by pdftoppm behind and inside chosen words.

Contrast is the WCAG 2 contrast ratio between a word's background (the commonest colour in its
box) and its ink (the darkest colour in its box); 4.5 is WCAG AA for body text.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

DPI = 100
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
_PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)


def require_poppler() -> None:
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.fail("pdftoppm/pdftotext missing: install Debian's poppler-utils (make test does)")


def pdf_text(pdf: bytes, *, layout: bool = False) -> str:
    """``pdftotext`` output: reading order by default, the physical layout with ``layout``."""
    args = ["pdftotext", *(["-layout"] if layout else []), "-enc", "UTF-8", "-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()


def in_reading_order(text: str, phrases: list[str]) -> bool:
    """Each phrase occurs after the one before it (whitespace runs count as one space)."""
    flat = " ".join(text.split())
    position = 0
    for phrase in phrases:
        found = flat.find(" ".join(phrase.split()), position)
        if found < 0:
            return False
        position = found + len(phrase)
    return True


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    box: tuple[float, float, float, float]  # points: x0, y0, x1, y1


def words(pdf: bytes) -> list[Word]:
    args = ["pdftotext", "-bbox", "-enc", "UTF-8", "-", "-"]
    out = subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()
    found = []
    for page, body in enumerate(_PAGE.findall(out), start=1):
        for x0, y0, x1, y1, text in _WORD.findall(body):
            box = (float(x0), float(y0), float(x1), float(y1))
            found.append(Word(page, html.unescape(text), box))
    return found


@dataclass
class Image:
    width: int
    height: int
    pixels: bytes  # RGB, row-major

    def rgb(self, x: int, y: int) -> tuple[int, int, int]:
        i = 3 * (y * self.width + x)
        return self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]


def read_ppm(data: bytes) -> Image:
    """A binary PPM (P6, maxval 255), as pdftoppm writes it."""
    fields, index = [], 0
    while len(fields) < 4:
        while data[index : index + 1].isspace():
            index += 1
        if data[index : index + 1] == b"#":
            index = data.index(b"\n", index) + 1
            continue
        end = index
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[index:end])
        index = end
    magic, width, height, maxval = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    assert magic == b"P6" and maxval == 255, (magic, maxval)
    pixels = data[index + 1 : index + 1 + 3 * width * height]
    return Image(width, height, pixels)


def render(pdf: bytes, page: int) -> Image:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doc.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(DPI), "-f", str(page), "-l", str(page), str(source), f"{tmp}/p"],
            check=True,
        )
        (image,) = Path(tmp).glob("p-*.ppm")
        return read_ppm(image.read_bytes())


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class Sample:
    word: str
    background: tuple[int, int, int]
    ink: tuple[int, int, int]

    @property
    def ratio(self) -> float:
        return contrast(self.background, self.ink)


def sample(image: Image, word: Word) -> Sample:
    """The background and ink colours inside ``word``'s box on the rendered page."""
    scale = DPI / 72
    x0, y0, x1, y1 = (round(v * scale) for v in word.box)
    counts: dict[tuple[int, int, int], int] = {}
    for y in range(max(0, y0), min(image.height, y1 + 1)):
        for x in range(max(0, x0), min(image.width, x1 + 1)):
            rgb = image.rgb(x, y)
            counts[rgb] = counts.get(rgb, 0) + 1
    background = max(counts, key=counts.get)
    ink = min(counts, key=luminance)
    return Sample(word.text, background, ink)


def legibility(pdf: bytes, texts: list[str]) -> list[Sample]:
    """A sample for the first occurrence of each word in ``texts`` (fails if one is missing)."""
    found = words(pdf)
    images: dict[int, Image] = {}
    samples = []
    for text in texts:
        word = next((w for w in found if w.text == text), None)
        assert word is not None, f"{text!r} is not in the PDF's text"
        if word.page not in images:
            images[word.page] = render(pdf, word.page)
        samples.append(sample(images[word.page], word))
    return samples


def assert_legible(pdf: bytes, texts: list[str], min_ratio: float = 4.5) -> None:
    """Every word in ``texts`` is dark ink on a light background with enough contrast."""
    for s in legibility(pdf, texts):
        assert luminance(s.background) > 0.7, f"{s.word!r} sits on a dark background {s.background}"
        assert luminance(s.ink) < luminance(s.background), s
        assert s.ratio >= min_ratio, f"{s.word!r}: contrast {s.ratio:.1f} < {min_ratio}"
