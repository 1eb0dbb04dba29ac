"""The gallery: recipes in ``DIR/recipes/*.toml``, the pictures they make, and two pages about them.

For recipe ``NAME`` a build (``ganvas gallery build``, in :mod:`ganvas.cli.gallery`) writes
``DIR/NAME.png`` (the final image, with the recipe embedded) and for image recipes a looping
latent walk, ``DIR/NAME.walk.gif``. ``DIR/gallery.json`` keeps what each build measured, so
``DIR/README.md`` and ``DIR/index.html`` can be written again without training. This module
reads and writes those files; it imports neither torch nor the trainer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ganvas.errors import UnknownNameError, UserInputError
from ganvas.io.files import write_text_atomic
from ganvas.io.formats import ANIMATION_SUFFIXES
from ganvas.plugin.registry import Registry
from ganvas.recipe import Recipe, builtin_recipes, load_recipe, tomllib
from ganvas.seeds import format_seeds, parse_seeds

__all__ = [
    "Gallery",
    "Entry",
    "open_gallery",
    "stale_reason",
    "embedded_toml",
    "read_manifest",
    "write_manifest",
    "recipe_parts",
    "gallery_size",
    "MANIFEST",
    "SIZE_BUDGET",
    "write_print_files",
]

MANIFEST = "gallery.json"
SIZE_BUDGET = 20_000_000
"""Bytes the gallery folder should stay under (it is committed with the code)."""

WALK_SUFFIX = ".walk"  # NAME.walk.gif
THUMB_SUFFIX, TILED_SUFFIX = ".thumb", ".tiled"  # NAME.thumb.png, NAME.tiled.png
THUMB_PIXELS = 512  # the width of a thumbnail on the pages
PRINT_PIXELS = 800  # pictures (or tile layouts) wider than this are shown as a thumbnail
WALK_FORMATS = ("gif",)
WALK_KEYFRAMES, WALK_FRAMES, WALK_FPS = 4, 40, 12
WALK_PIXELS = 96  # walks are enlarged (by at most the recipe's sample.scale) to about this size
WALK_CANVAS = 160  # recipes drawn larger walk with this longer side (a 1024-px GIF would be huge)
SHEET = "stylizers.jpg"  # made by `python -m ganvas.plugins.stylizers.sheet`; shown when present


@dataclass(frozen=True)
class Sheet:
    """A picture the gallery shows in a section of its own when present, with the command that made it."""

    file: str
    title: str
    about: str
    command: str
    alt: str


#: The sheets, in page order: the stylizers on a photo, and repairs of photos no model trained on.
SHEETS = (
    Sheet(
        "repair.jpg",
        "Repair and restyle",
        "Photos no model saw in training (scikit-image's astronaut and cat), each row damaged | the model's "
        "repair | the classical baseline | the original: 4x super-resolution against bicubic, denoising "
        "(sigma 25) against the best of blur and OpenCV's non-local means, inpainting against OpenCV's Telea; "
        "the last row is the restyle recipe's cycle translation (picture | translated)",
        "ganvas bench repair --images DIR (then cp DIR/repair.jpg $folder/)",
        "repairs of held-out photos beside classical baselines",
    ),
    Sheet(
        SHEET,
        "Stylizers",
        "Every stylizer with its defaults (unless noted) on two photos at their own size: scikit-image's astronaut "
        "(512 x 512, NASA, public domain) and chelsea (451 x 300, CC0); the GAN cards above show them on samples",
        "python -m ganvas.plugins.stylizers.sheet $folder/" + SHEET,
        "every stylizer on two photos at full size",
    ),
)


@dataclass
class Entry:
    """One gallery recipe: ``recipes/NAME.toml``, its text and the recipe it resolves to."""

    name: str
    path: Path
    text: str
    recipe: Recipe


@dataclass
class Gallery:
    """A gallery folder and its recipes, in file-name order."""

    root: Path
    entries: list[Entry]

    def image(self, name: str) -> Path:
        """``NAME.png``: the recipe's final image."""
        return self.root / f"{name}.png"

    def curves(self, name: str) -> Path:
        """``NAME.curves.png``: the training curves of the recipe's last build (``ganvas plot``)."""
        return self.root / f"{name}.curves.png"

    def thumbnail(self, name: str) -> Path:
        """``NAME.thumb.png``: a small copy of a print-size picture for the pages (linked to the full one)."""
        return self.root / f"{name}{THUMB_SUFFIX}.png"

    def tiled(self, name: str) -> Path:
        """``NAME.tiled.png``: a seamless tile laid out 2x2, to show that its edges match."""
        return self.root / f"{name}{TILED_SUFFIX}.png"

    def print_files(self, entry: Entry) -> list[Path]:
        """The extra files a recipe's picture should have: a 2x2 layout of a tile, and a thumbnail
        of a picture (or layout) wider than ``PRINT_PIXELS``."""
        image = self.image(entry.name)
        if not image.is_file():
            return []
        tile = entry.recipe.sample.tile
        files = [self.tiled(entry.name)] if tile else []
        try:
            (width, _), _ = png_info(image)
        except OSError:
            return files
        if width * (2 if tile else 1) > PRINT_PIXELS:
            files.append(self.thumbnail(entry.name))
        return files

    def walk_stem(self, name: str) -> Path:
        """``NAME.walk``: the latent walk's path without its format suffix."""
        return self.root / f"{name}{WALK_SUFFIX}"

    def walk_files(self, name: str) -> list[Path]:
        """The latent walk's files, one per format in ``WALK_FORMATS``."""
        return [self.root / f"{name}{WALK_SUFFIX}{ANIMATION_SUFFIXES[f]}" for f in WALK_FORMATS]

    def select(self, names: Iterable[str]) -> list[Entry]:
        """The entries named ``names`` (all of them when empty); an unknown name is an error."""
        wanted = list(dict.fromkeys(names))
        known = {e.name: e for e in self.entries}
        for name in wanted:
            if name not in known:
                raise UnknownNameError(f"gallery recipe (in {self.root / 'recipes'})", name, known)
        return [known[n] for n in wanted] if wanted else list(self.entries)

    def command(self, entry: Entry) -> str:
        """How to make the picture, run from the folder that holds the gallery."""
        return f"ganvas run {self.root.resolve().name}/recipes/{entry.name}.toml"

    def builtin_name(self, entry: Entry) -> str | None:
        """``NAME`` when ``ganvas run NAME`` runs this very recipe (the gallery ships with ganvas)."""
        from importlib import resources

        if entry.name not in builtin_recipes():
            return None
        shipped = (resources.files("ganvas.recipes") / f"{entry.name}.toml").read_text(encoding="utf-8")
        return entry.name if shipped == entry.text else None


def open_gallery(root: str | Path, registry: Registry) -> Gallery:
    """Read and validate every ``root/recipes/*.toml`` (all problems are reported at once)."""
    root = Path(root).expanduser()
    files = sorted((root / "recipes").glob("*.toml")) if (root / "recipes").is_dir() else []
    if not files:
        raise UserInputError(
            f"'{root}' is not a gallery: no recipes in {root / 'recipes'}/*.toml "
            "(give the gallery folder with --gallery DIR)"
        )
    entries, problems = [], []
    for path in files:
        try:
            recipe = load_recipe(path, registry)
        except UserInputError as exc:
            problems.append(str(exc))
            continue
        if not recipe.sample.grid:
            problems.append(f"{path}: a gallery recipe draws one grid image; remove sample.grid = false")
        entries.append(Entry(path.stem, path, path.read_text(encoding="utf-8"), recipe))
    if problems:
        raise UserInputError("\n".join(problems))
    return Gallery(root, entries)


# -- is a picture up to date? --------------------------------------------------------------------


def embedded_toml(recipe: Recipe) -> str:
    """The recipe TOML that ``ganvas run`` embeds in the final image of ``recipe``: the resolved
    recipe, its seeds written the shortest way and ``sample.step`` 0 for the last step."""
    sample = recipe.sample
    step = 0 if sample.step in (0, recipe.train.steps) else sample.step
    drawn = replace(sample, seeds=format_seeds(parse_seeds(sample.seeds)), step=step)
    return replace(recipe, sample=drawn).to_toml()


def _flat(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables as one level of dotted keys (``train.steps``)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _differences(old: str, new: str) -> str:
    """The first three keys whose values differ between two recipe TOMLs, as ``key old -> new``."""
    try:
        a, b = _flat(tomllib.loads(old)), _flat(tomllib.loads(new))
    except tomllib.TOMLDecodeError:
        return "unreadable"
    keys = [k for k in dict.fromkeys([*b, *a]) if a.get(k, "(unset)") != b.get(k, "(unset)")]
    shown = [f"{k} {a.get(k, '(unset)')!r} -> {b.get(k, '(unset)')!r}" for k in keys[:3]]
    return "; ".join(shown) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")


def png_info(path: Path) -> tuple[tuple[int, int], dict[str, str]]:
    """``(width, height)`` and the text chunks of an image file."""
    from PIL import Image

    with Image.open(path) as img:
        return img.size, {k: str(v) for k, v in getattr(img, "text", {}).items()}


def stale_reason(gallery: Gallery, entry: Entry, manifest: Mapping[str, Any], walks: bool) -> str | None:
    """Why ``entry`` needs building (``None``: its files are up to date)."""
    image = gallery.image(entry.name)
    if not image.is_file():
        return f"no {image.name} yet"
    try:
        _, text = png_info(image)
    except OSError as exc:
        return f"cannot read {image.name} ({exc})"
    made = text.get("ganvas:recipe")
    if not made:
        return f"{image.name} carries no recipe"
    expected = embedded_toml(entry.recipe)
    if made != expected:
        return f"{entry.path.name} differs from the recipe in {image.name}: {_differences(made, expected)}"
    record = manifest.get("recipes", {}).get(entry.name)
    if not record:
        return f"not in {MANIFEST} (no time measured)"
    missing_print = [p.name for p in gallery.print_files(entry) if not p.is_file()]
    if missing_print:
        return f"no {', '.join(missing_print)} yet"
    if walks and record.get("kind") == "images" and record.get("walks", True):
        missing = [p.name for p in gallery.walk_files(entry.name) if not p.is_file()]
        if missing:
            return f"no {', '.join(missing)} yet"
    return None


# -- the manifest ----------------------------------------------------------------------------------


def read_manifest(root: Path) -> dict[str, Any]:
    """``root/gallery.json``, or an empty manifest when there is none (or it is unreadable)."""
    path = root / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict) or not isinstance(data.get("recipes"), dict):
        data = {}
    return {"format": 1, "recipes": data.get("recipes", {})}


def write_manifest(root: Path, manifest: Mapping[str, Any], gallery: Gallery | None = None) -> Path:
    """Write the manifest (recipes in gallery order, entries of deleted recipes dropped)."""
    recipes = dict(manifest.get("recipes", {}))
    if gallery is not None:
        recipes = {e.name: recipes[e.name] for e in ordered(gallery, recipes) if e.name in recipes}
    data = {
        "format": 1,
        "about": "written by `ganvas gallery build`; README.md and index.html are made from it",
        "recipes": recipes,
    }
    return write_text_atomic(root / MANIFEST, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def gallery_size(root: Path) -> int:
    """Bytes of the files under ``root`` (hidden files and ``__pycache__`` not counted)."""
    total = 0
    for path in root.rglob("*"):
        parts = path.relative_to(root).parts
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in parts):
            total += path.stat().st_size
    return total


def format_size(size: int) -> str:
    """``size`` bytes in kB or MB, for the build summary."""
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


def orphans(gallery: Gallery) -> list[str]:
    """Pictures in the gallery folder that no recipe makes (left from a renamed or deleted recipe)."""
    made = {sheet.file for sheet in SHEETS} | {
        p.name
        for e in gallery.entries
        for p in (gallery.image(e.name), gallery.curves(e.name), *gallery.walk_files(e.name), *gallery.print_files(e))
    }
    return sorted(
        p.name
        for p in gallery.root.iterdir()
        if p.is_file() and p.suffix in (".png", ".gif") and p.name not in made and not p.name.startswith(".")
    )


# -- what the pages say --------------------------------------------------------------------------


def recipe_parts(recipe: Recipe) -> str:
    """One compact line: data · method (unless gan) · the sections it uses (model, loss, augment,
    corrupt) · stylizers."""
    data = f"{recipe.data.name}:{recipe.data.argument}" if recipe.data.argument else recipe.data.name
    if "size" in recipe.data.params:
        data += f" {recipe.data.params['size']} px"
    parts = [data] + ([recipe.method.name] if recipe.method.name != "gan" else [])
    if "model" in recipe.uses:
        parts.append(recipe.model.name)
    if "loss" in recipe.uses:
        parts.append(" + ".join([recipe.loss.name, *(r.name for r in recipe.regularize)]))
    if "augment" in recipe.uses:
        policy = recipe.augment.names
        parts.append((("ADA " if recipe.augment.ada else "") + ", ".join(policy)) if policy else "no augmentation")
    if "corrupt" in recipe.uses:
        parts.append(f"corrupt: {recipe.corrupt.name}")
    parts.append(" → ".join(s.name for s in recipe.stylize) or "no stylizers")
    return " · ".join(parts)


def ordered(gallery: Gallery, records: Mapping[str, Any]) -> list[Entry]:
    """``default`` first, then the other image recipes, then point benchmarks; by name within."""

    def key(e: Entry) -> tuple[int, int, str]:
        points = records.get(e.name, {}).get("kind") == "points"
        return (e.name != "default", points, e.name)

    return sorted(gallery.entries, key=key)


def write_print_files(gallery: Gallery, entry: Entry) -> list[Path]:
    """Write ``entry``'s tiled 2x2 layout (tiling recipes) and thumbnail (print-size pictures)."""
    from PIL import Image

    from ganvas.io.files import atomic_write

    written = []
    with Image.open(gallery.image(entry.name)) as opened:
        picture = opened.convert("RGB")
    if entry.recipe.sample.tile:
        w, h = picture.size
        tiled = Image.new("RGB", (2 * w, 2 * h))
        for x, y in ((0, 0), (w, 0), (0, h), (w, h)):
            tiled.paste(picture, (x, y))
        target = gallery.tiled(entry.name)
        written.append(atomic_write(target, lambda tmp: tiled.save(tmp, format="PNG", optimize=True)))
        picture = tiled
    if gallery.thumbnail(entry.name) in gallery.print_files(entry):
        scale = THUMB_PIXELS / picture.width
        small = picture.resize((THUMB_PIXELS, max(1, round(picture.height * scale))), Image.Resampling.LANCZOS)
        target = gallery.thumbnail(entry.name)
        written.append(atomic_write(target, lambda tmp: small.save(tmp, format="PNG", optimize=True)))
    return written
