"""The gallery's two pages, README.md and index.html, written from the manifest and the recipes.

The HTML is a single self-contained file (no scripts, no external resources): the templates in
``templates/`` (``string.Template``, ``$name`` placeholders) are filled with escaped values.
"""

from __future__ import annotations

import functools
import html
import string
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ganvas.gallery.build import SHEETS, Entry, Gallery, Sheet, ordered, png_info, recipe_parts
from ganvas.io.files import write_text_atomic

__all__ = ["write_pages"]


@dataclass
class _Card:
    """What one card (and one README row) shows of a recipe: its record in the manifest and its pictures."""

    entry: Entry
    record: dict[str, Any]
    image: tuple[str, int, int] | None  # relative path, width, height
    walk: tuple[str, int, int] | None
    command: str
    builtin: str | None
    #: What the page shows and links: a thumbnail of a print-size picture, a tile laid out 2x2.
    shown: tuple[str, int, int] | None = None
    full: tuple[str, int, int] | None = None
    #: The training curves of the last build (``NAME.curves.png``), linked when there are some.
    curves: tuple[str, int, int] | None = None

    @property
    def time(self) -> str:
        """How long the build took, e.g. ``3m 2s for 2,000 steps`` (or that it was not measured)."""
        from ganvas.training.progress import format_duration

        if "seconds" not in self.record:
            return "not measured yet"
        steps = self.record.get("steps", self.entry.recipe.train.steps)
        return f"{format_duration(self.record['seconds'])} for {steps:,} steps"

    @property
    def device(self) -> str:
        """The device the build ran on, as gallery.json records it ("" when unknown)."""
        return str(self.record.get("device", ""))

    @property
    def print_note(self) -> str:
        """``1024 x 1024 px, click for full size; a seamless tile, shown 2 x 2``, or "" for small pictures."""
        if not self.image or not self.full or self.full == self.shown == self.image:
            return ""
        _, w, h = self.image
        note = f"{w} x {h} px; click for full size"
        return note + ("; a seamless tile, shown 2 x 2" if self.full != self.image else "")

    @property
    def crisp(self) -> bool:
        """Pixel art: enlarged with nearest-neighbour, so the browser should keep the pixels square."""
        sample = self.entry.recipe.sample
        return sample.resample == "nearest" and sample.scale > 1


def _picture(root: Path, path: Path) -> tuple[str, int, int] | None:
    """``(path relative to root, width, height)`` of an image, or ``None`` when missing or unreadable."""
    if not path.is_file():
        return None
    try:
        (w, h), _ = png_info(path)
    except OSError:
        return None
    return path.relative_to(root).as_posix(), w, h


def _cards(gallery: Gallery, manifest: Mapping[str, Any]) -> list[_Card]:
    """A card per recipe, in page order."""
    records = manifest.get("recipes", {})
    cards = []
    for e in ordered(gallery, records):
        walks = [w for p in gallery.walk_files(e.name) if (w := _picture(gallery.root, p))]
        cards.append(
            _Card(
                e,
                dict(records.get(e.name, {})),
                _picture(gallery.root, gallery.image(e.name)),
                walks[0] if walks else None,
                gallery.command(e),
                gallery.builtin_name(e),
            )
        )
        card = cards[-1]
        card.full = _picture(gallery.root, gallery.tiled(e.name)) or card.image
        card.shown = _picture(gallery.root, gallery.thumbnail(e.name)) or card.full
        card.curves = _picture(gallery.root, gallery.curves(e.name))
    return cards


def write_pages(gallery: Gallery, manifest: Mapping[str, Any]) -> list[Path]:
    """Write ``README.md`` and ``index.html`` from the recipes, the pictures and the manifest."""
    cards = _cards(gallery, manifest)
    sheets = [(sheet, found) for sheet in SHEETS if (found := _picture(gallery.root, gallery.root / sheet.file))]
    return [
        write_text_atomic(gallery.root / "README.md", _readme(gallery, cards, sheets)),
        write_text_atomic(gallery.root / "index.html", _html(gallery, cards, sheets)),
    ]


_Shown = list[tuple[Sheet, tuple[str, int, int]]]


def _devices(cards: list[_Card]) -> str:
    """The devices the builds ran on, each once, in card order."""
    return ", ".join(dict.fromkeys(c.device for c in cards if c.device)) or "not measured yet"


def _md(text: str) -> str:
    """``text`` for a markdown table cell: HTML-escaped, ``|`` escaped, on one line."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _readme(gallery: Gallery, cards: list[_Card], sheets: _Shown) -> str:
    """README.md: the ``readme.md`` template with a table row per card and the sheets that are present."""
    folder = gallery.root.resolve().name
    shown = "".join(
        _template("readme_sheet.md").substitute(
            title=sheet.title,
            about=_md(sheet.about),
            sheet=sheet.file,
            command=string.Template(sheet.command).substitute(folder=folder),
            src=_e(found[0]),
            alt=_e(sheet.alt),
        )
        for sheet, found in sheets
    )
    return _template("readme.md").substitute(
        folder=folder, devices=_devices(cards), rows="".join(f"\n{_readme_row(c)}" for c in cards), sheet=shown
    )


def _readme_row(c: _Card) -> str:
    """One markdown table row: the pictures (HTML, escaped), the commands, what it shows, the time."""
    name = c.entry.name
    cell = "(not built yet)"
    if c.image and c.shown and c.full:
        src, full = _e(c.shown[0]), _e(c.full[0])
        cell = f'<a href="{full}"><img src="{src}" width="240" alt="{_e(name)}: the final image"></a>'
        if c.print_note:
            cell += f"<br><sub>{_md(c.print_note)}</sub>"
        if c.full != c.image:
            cell += f'<br><sub><a href="{_e(c.image[0])}">the tile itself</a></sub>'
    if c.walk:
        cell += f'<br><img src="{_e(c.walk[0])}" width="96" alt="{_e(name)}: latent walk">'
    command = f"`{c.command}`" + (f"<br>or `ganvas run {c.builtin}`" if c.builtin else "")
    description = c.entry.recipe.description
    shows = (_md(description) + "<br>" if description else "") + f"<sub>{_md(recipe_parts(c.entry.recipe))}</sub>"
    time = c.time + (f'<br><a href="{_e(c.curves[0])}">training curves</a>' if c.curves else "")
    return f"| {cell} | **{name}**<br>{command} | {shows} | {time} |"


def _e(text: object) -> str:
    """``text`` escaped for HTML (quotes too, for attribute values)."""
    return html.escape(str(text), quote=True)


def _img(picture: tuple[str, int, int], alt: str, css: str = "") -> str:
    """An ``<img>`` with its size, alt text and optional class, every value escaped."""
    path, w, h = picture
    cls = f' class="{css}"' if css else ""
    return f'<img src="{_e(path)}" width="{w}" height="{h}" alt="{_e(alt)}"{cls}>'


def _card_html(c: _Card) -> str:
    """One ``<article class="card">`` from the ``card.html`` template."""
    e = c.entry
    crisp = "crisp" if c.crisp else ""
    art = (
        f'<a class="art" href="{_e(c.full[0])}">{_img(c.shown, f"{e.name}: the final image", crisp)}</a>'
        + (f'<p class="note">{_e(c.print_note)}</p>' if c.print_note else "")
        + (f'<p class="note"><a href="{_e(c.image[0])}">the tile itself</a></p>' if c.full != c.image else "")
        if c.image and c.shown and c.full
        else '<div class="missing">not built yet</div>'
    )
    walk = _img(c.walk, f"{e.name}: a looping walk through latent space", f"walk {crisp}".strip()) if c.walk else ""
    return _template("card.html").substitute(
        id=_e(e.name),
        art=art,
        walk=walk,
        name=_e(e.name),
        description=_e(e.recipe.description),
        parts=_e(recipe_parts(e.recipe)),
        command=_e(c.command),
        also=f"\n<span># or: ganvas run {_e(c.builtin)}</span>" if c.builtin else "",
        time=_e(c.time),
        curves=(
            f'\n<a class="curves" href="{_e(c.curves[0])}">{_img(c.curves, f"{e.name}: training curves")}</a>'
            if c.curves
            else ""
        ),
        device=f" on {_e(c.device)}" if c.device else "",
        file=_e(e.path.name),
        text=_e(e.text),
    )


_SECTIONS = (
    (
        "images",
        "Pictures",
        "A GAN trained on the recipe's dataset; the big picture is the recipe's final sample "
        "grid, the small one a looping walk through its latent space.",
    ),
    (
        "points",
        "2-D benchmarks",
        "A GAN learning a mixture of 2-D Gaussians; the picture plots the points it "
        "generates. <code>ganvas bench modes NAME</code> measures how many modes it covers.",
    ),
)


def _html(gallery: Gallery, cards: list[_Card], sheets: _Shown) -> str:
    """index.html: the ``index.html`` template, with ``style.css`` inlined and a section per kind of recipe."""
    from ganvas import __version__
    from ganvas.training.progress import format_duration

    folder = gallery.root.resolve().name
    sections = []
    for kind, title, about in _SECTIONS:
        mine = [c for c in cards if (c.record.get("kind") == "points") == (kind == "points")]
        if mine:
            sections.append(
                _template("section.html").substitute(
                    kind=kind, title=title, about=about, cards="\n".join(_card_html(c) for c in mine)
                )
            )
    for sheet, found in sheets:
        sections.append(
            _template("sheet.html").substitute(
                title=_e(sheet.title),
                about=_e(sheet.about),
                command=_e(string.Template(sheet.command).substitute(folder=folder)),
                href=_e(found[0]),
                image=_img(found, sheet.alt),
            )
        )
    seconds = sum(c.record.get("seconds", 0) for c in cards)
    stats = f"{len(cards)} recipes" + (f" · {format_duration(seconds)} of training in all" if seconds else "")
    return _template("index.html").substitute(
        css=_template("style.css").template,
        stats=_e(stats),
        sections="\n".join(sections),
        version=_e(__version__),
        devices=_e(_devices(cards)),
    )


@functools.cache
def _template(name: str) -> string.Template:
    """A page template shipped as package data (``ganvas/gallery/templates/``)."""
    return string.Template((resources.files("ganvas.gallery") / "templates" / name).read_text(encoding="utf-8"))
