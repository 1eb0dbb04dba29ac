"""The gallery: recipes in ``DIR/recipes/*.toml``, the pictures they make, and two pages about them.

For recipe ``NAME`` a build (``ganvas gallery build``, in :mod:`ganvas.cli.gallery`) writes
``DIR/NAME.png`` (the final image, with the recipe embedded) and for image recipes a looping
latent walk, ``DIR/NAME.walk.gif``. ``DIR/gallery.json`` keeps what each build measured, so
``DIR/README.md`` and ``DIR/index.html`` can be written again without training. This module
reads and writes those files; it imports neither torch nor the trainer.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ganvas.errors import UnknownNameError, UserInputError
from ganvas.io.files import write_text_atomic
from ganvas.io.formats import ANIMATION_SUFFIXES
from ganvas.recipe import Recipe, builtin_recipes, load_recipe, tomllib
from ganvas.plugin.registry import Registry
from ganvas.seeds import format_seeds, parse_seeds

__all__ = ["Gallery", "Entry", "open_gallery", "stale_reason", "embedded_toml", "read_manifest",
           "write_manifest", "write_pages", "recipe_parts", "gallery_size", "MANIFEST", "SIZE_BUDGET"]

MANIFEST = "gallery.json"
SIZE_BUDGET = 10_000_000
"""Bytes the gallery folder should stay under (it is committed with the code)."""

WALK_SUFFIX = ".walk"  # NAME.walk.gif
WALK_FORMATS = ("gif",)
WALK_KEYFRAMES, WALK_FRAMES, WALK_FPS = 4, 40, 12
WALK_PIXELS = 96  # walks are enlarged (by at most the recipe's sample.scale) to about this size
SHEET = "stylizers.png"  # made by `python -m ganvas.plugins.stylizers.sheet`; shown when present


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
        return self.root / f"{name}.png"

    def walk_stem(self, name: str) -> Path:
        return self.root / f"{name}{WALK_SUFFIX}"

    def walk_files(self, name: str) -> list[Path]:
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
        raise UserInputError(f"'{root}' is not a gallery: no recipes in {root / 'recipes'}/*.toml "
                             "(give the gallery folder with --gallery DIR)")
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
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _differences(old: str, new: str) -> str:
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
    if walks and record.get("kind") == "images":
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
        recipes = {e.name: recipes[e.name] for e in _ordered(gallery, recipes) if e.name in recipes}
    data = {"format": 1, "about": "written by `ganvas gallery build`; README.md and index.html are made from it",
            "recipes": recipes}
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
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


def orphans(gallery: Gallery) -> list[str]:
    """Pictures in the gallery folder that no recipe makes (left from a renamed or deleted recipe)."""
    made = {SHEET} | {p.name for e in gallery.entries for p in (gallery.image(e.name), *gallery.walk_files(e.name))}
    return sorted(p.name for p in gallery.root.iterdir() if p.is_file() and p.suffix in (".png", ".gif")
                  and p.name not in made and not p.name.startswith("."))


# -- what the pages say --------------------------------------------------------------------------


def recipe_parts(recipe: Recipe) -> str:
    """One compact line: data · model · loss · augment · stylizers."""
    data = f"{recipe.data.name}:{recipe.data.argument}" if recipe.data.argument else recipe.data.name
    if "size" in recipe.data.params:
        data += f" {recipe.data.params['size']} px"
    loss = " + ".join([recipe.loss.name, *(r.name for r in recipe.regularize)])
    policy = recipe.augment.names
    augment = (("ADA " if recipe.augment.ada else "") + ", ".join(policy)) if policy else "no augmentation"
    stylize = " → ".join(s.name for s in recipe.stylize) or "no stylizers"
    return " · ".join((data, recipe.model.name, loss, augment, stylize))


def _ordered(gallery: Gallery, records: Mapping[str, Any]) -> list[Entry]:
    """``default`` first, then the other image recipes, then point benchmarks; by name within."""
    def key(e: Entry) -> tuple[int, int, str]:
        points = records.get(e.name, {}).get("kind") == "points"
        return (e.name != "default", points, e.name)
    return sorted(gallery.entries, key=key)


@dataclass
class _Card:
    entry: Entry
    record: dict[str, Any]
    image: tuple[str, int, int] | None  # relative path, width, height
    walk: tuple[str, int, int] | None
    command: str
    builtin: str | None

    @property
    def time(self) -> str:
        from ganvas.training.progress import format_duration

        if "seconds" not in self.record:
            return "not measured yet"
        steps = self.record.get("steps", self.entry.recipe.train.steps)
        return f"{format_duration(self.record['seconds'])} for {steps:,} steps"

    @property
    def device(self) -> str:
        return str(self.record.get("device", ""))

    @property
    def crisp(self) -> bool:
        """Pixel art: enlarged with nearest-neighbour, so the browser should keep the pixels square."""
        sample = self.entry.recipe.sample
        return sample.resample == "nearest" and sample.scale > 1


def _picture(root: Path, path: Path) -> tuple[str, int, int] | None:
    if not path.is_file():
        return None
    try:
        (w, h), _ = png_info(path)
    except OSError:
        return None
    return path.relative_to(root).as_posix(), w, h


def _cards(gallery: Gallery, manifest: Mapping[str, Any]) -> list[_Card]:
    records = manifest.get("recipes", {})
    cards = []
    for e in _ordered(gallery, records):
        walks = [w for p in gallery.walk_files(e.name) if (w := _picture(gallery.root, p))]
        cards.append(_Card(e, dict(records.get(e.name, {})), _picture(gallery.root, gallery.image(e.name)),
                           walks[0] if walks else None, gallery.command(e), gallery.builtin_name(e)))
    return cards


def write_pages(gallery: Gallery, manifest: Mapping[str, Any]) -> list[Path]:
    """Write ``README.md`` and ``index.html`` from the recipes, the pictures and the manifest."""
    cards = _cards(gallery, manifest)
    sheet = _picture(gallery.root, gallery.root / SHEET)
    return [write_text_atomic(gallery.root / "README.md", _readme(gallery, cards, sheet)),
            write_text_atomic(gallery.root / "index.html", _html(gallery, cards, sheet))]


def _devices(cards: list[_Card]) -> str:
    return ", ".join(dict.fromkeys(c.device for c in cards if c.device)) or "not measured yet"


def _md(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _readme(gallery: Gallery, cards: list[_Card], sheet: tuple[str, int, int] | None) -> str:
    folder = gallery.root.resolve().name
    lines = [
        "# ganvas gallery",
        "",
        "Every picture here was trained from scratch by the recipe of the same name in "
        f"[`recipes/`](recipes/); each PNG carries that recipe in its metadata "
        f"(`ganvas recipe show {folder}/NAME.png`). "
        "[`index.html`](index.html) shows the same pictures as a web page, with the full recipes.",
        "",
        f"Rebuild from the folder that holds `{folder}/`: `ganvas gallery build` trains every recipe again "
        f"(minutes each on a CPU), `ganvas gallery build --missing` only those whose picture is missing or whose "
        "recipe changed, `--only NAME` just one; `ganvas gallery page` rewrites this file and index.html "
        f"without training. Times are for training and drawing, measured on {_devices(cards)}.",
        "",
        "| picture | recipe | what it shows | time |",
        "|---|---|---|---|",
    ]
    for c in cards:
        name = c.entry.name
        cell = "(not built yet)"
        if c.image:
            src = _e(c.image[0])
            cell = f'<a href="{src}"><img src="{src}" width="240" alt="{_e(name)}: the final image"></a>'
        if c.walk:
            cell += f'<br><img src="{_e(c.walk[0])}" width="96" alt="{_e(name)}: latent walk">'
        command = f"`{c.command}`" + (f"<br>or `ganvas run {c.builtin}`" if c.builtin else "")
        shows = (_md(c.entry.recipe.description) + "<br>" if c.entry.recipe.description else "") + \
            f"<sub>{_md(recipe_parts(c.entry.recipe))}</sub>"
        lines.append(f"| {cell} | **{name}**<br>{command} | {shows} | {c.time} |")
    if sheet:
        lines += ["", "## Stylizers", "",
                  f"Every stylizer on a photo and on a GAN sample ([`{SHEET}`]({SHEET}); made by "
                  f"`python -m ganvas.plugins.stylizers.sheet {folder}/{SHEET}`):", "",
                  f'<img src="{sheet[0]}" width="100%" alt="every stylizer on a photo and on a GAN sample">']
    return "\n".join(lines) + "\n"


_CSS = """
:root { color-scheme: dark; --bg: #0d0e10; --card: #16171a; --line: #26282d; --text: #e9e6e1;
  --muted: #9b9890; --faint: #6c6a65; --accent: #e3b466; --code: #0a0b0c; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.wrap { max-width: 1320px; margin: 0 auto; padding-left: clamp(14px, 4vw, 40px);
  padding-right: clamp(14px, 4vw, 40px); }
header { padding-top: clamp(28px, 6vw, 64px); padding-bottom: clamp(20px, 3vw, 36px); }
h1 { margin: 0 0 .3em; font-size: clamp(1.7rem, 4vw, 2.6rem); line-height: 1.1; letter-spacing: -.02em;
  font-weight: 700; }
h1 span { color: var(--accent); }
.lede { margin: 0; max-width: 70ch; color: var(--muted); }
.lede code, footer code { font: .88em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--text);
  white-space: nowrap; }
.lede code.long { white-space: normal; overflow-wrap: anywhere; }
.stats { margin: 14px 0 0; color: var(--faint); font-size: .85rem; }
main > section + section { margin-top: clamp(36px, 6vw, 64px); }
.section-head { margin: 0 0 16px; }
.section-head h2 { font-size: 1.35rem; margin: 0 0 .2em; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 360px), 1fr));
  gap: clamp(14px, 2.2vw, 26px); }
.card { display: flex; flex-direction: column; min-width: 0; background: var(--card);
  border: 1px solid var(--line); border-radius: 14px; overflow: hidden;
  box-shadow: 0 1px 0 rgba(255,255,255,.03) inset, 0 10px 30px rgba(0,0,0,.35); }
.art { display: block; background: #000; line-height: 0; }
.art img, .sheet img { display: block; width: 100%; height: auto; }
.crisp { image-rendering: pixelated; }
.body { flex: 1; display: flex; flex-direction: column; padding: 16px 18px 18px; }
.foot { margin-top: auto; }
.grid:has(details[open]) .foot { margin-top: 0; }  /* an open recipe leaves its neighbours as they are */
.head { display: flex; gap: 14px; align-items: flex-start; }
.walk { flex: none; width: 112px; height: 112px; border-radius: 8px; background: #000;
  outline: 1px solid var(--line); }
.head > div { min-width: 0; }
h3 { margin: 0 0 .2em; font-size: 1.15rem; letter-spacing: -.01em; }
.desc { margin: 0; }
.parts { margin: 12px 0 0; color: var(--muted); font-size: .84rem; }
.cmd { display: block; margin: 12px 0 0; padding: 8px 10px; overflow-x: auto; white-space: pre;
  background: var(--code); border: 1px solid var(--line); border-radius: 8px; color: #f1d9a8;
  font: .78rem/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.cmd span { color: var(--faint); }
.meta { margin: 10px 0 0; color: var(--faint); font-size: .8rem; }
details { margin-top: 10px; }
summary { cursor: pointer; color: var(--muted); font-size: .84rem; }
summary:hover { color: var(--text); }
pre { margin: 8px 0 0; max-height: 360px; overflow: auto; padding: 10px 12px; background: var(--code);
  border: 1px solid var(--line); border-radius: 8px;
  font: .78rem/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.missing { aspect-ratio: 1; display: grid; place-items: center; color: var(--faint); background: #0a0a0b;
  line-height: 1.5; }
.sheet figure { margin: 0; background: #000; border-radius: 14px; overflow: hidden; border: 1px solid var(--line); }
footer { padding: 40px 0 56px; color: var(--faint); font-size: .82rem; }
a { color: var(--accent); }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _img(picture: tuple[str, int, int], alt: str, css: str = "") -> str:
    path, w, h = picture
    cls = f' class="{css}"' if css else ""
    return f'<img src="{_e(path)}" width="{w}" height="{h}" alt="{_e(alt)}"{cls}>'


def _card_html(c: _Card) -> str:
    e = c.entry
    crisp = "crisp" if c.crisp else ""
    art = (f'<a class="art" href="{_e(c.image[0])}">{_img(c.image, f"{e.name}: the final image", crisp)}</a>'
           if c.image else '<div class="missing">not built yet</div>')
    walk = _img(c.walk, f"{e.name}: a looping walk through latent space", f"walk {crisp}".strip()) if c.walk else ""
    also = f"\n<span># or: ganvas run {_e(c.builtin)}</span>" if c.builtin else ""
    device = f" on {_e(c.device)}" if c.device else ""
    return f"""<article class="card" id="{_e(e.name)}">
{art}
<div class="body">
<div class="head">{walk}<div><h3>{_e(e.name)}</h3>
<p class="desc">{_e(e.recipe.description)}</p></div></div>
<p class="parts">{_e(recipe_parts(e.recipe))}</p>
<div class="foot">
<code class="cmd">{_e(c.command)}{also}</code>
<p class="meta">{_e(c.time)}{device}</p>
<details><summary>recipe {_e(e.path.name)}</summary><pre>{_e(e.text)}</pre></details>
</div>
</div>
</article>"""


_SECTIONS = (
    ("images", "Pictures", "A GAN trained on the recipe's dataset; the big picture is the recipe's final sample "
     "grid, the small one a looping walk through its latent space."),
    ("points", "2-D benchmarks", "A GAN learning a mixture of 2-D Gaussians; the picture plots the points it "
     "generates. <code>ganvas bench modes NAME</code> measures how many modes it covers."),
)


def _html(gallery: Gallery, cards: list[_Card], sheet: tuple[str, int, int] | None) -> str:
    from ganvas import __version__
    from ganvas.training.progress import format_duration

    folder = gallery.root.resolve().name
    sections = []
    for kind, title, about in _SECTIONS:
        mine = [c for c in cards if (c.record.get("kind") == "points") == (kind == "points")]
        if mine:
            sections.append(f"""<section class="{kind}">
<div class="section-head"><h2>{title}</h2><p class="lede">{about}</p></div>
<div class="grid">
{chr(10).join(_card_html(c) for c in mine)}
</div>
</section>""")
    if sheet:
        sections.append(f"""<section class="sheet">
<div class="section-head"><h2>Stylizers</h2>
<p class="lede">Every stylizer on a photo and on a GAN sample; made by
<code class="long">python -m ganvas.plugins.stylizers.sheet {_e(folder)}/{SHEET}</code>.</p></div>
<figure><a href="{_e(sheet[0])}">{_img(sheet, "every stylizer on a photo and on a GAN sample")}</a></figure>
</section>""")
    seconds = sum(c.record.get("seconds", 0) for c in cards)
    stats = f"{len(cards)} recipes" + (f" · {format_duration(seconds)} of training in all" if seconds else "")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ganvas gallery</title>
<style>{_CSS}</style>
</head>
<body>
<header class="wrap">
<h1><span>ganvas</span> gallery</h1>
<p class="lede">Each picture was trained from scratch by the recipe under it, and carries that recipe in its
metadata. Run the command on a card to make it yourself; <code>ganvas gallery build</code> rebuilds them all
(<code>--missing</code>: only the missing and changed ones).</p>
<p class="stats">{_e(stats)}</p>
</header>
<main class="wrap">
{chr(10).join(sections)}
</main>
<footer class="wrap">Made by <code>ganvas gallery build</code> (ganvas {_e(__version__)}). Times are training plus
drawing, measured on {_e(_devices(cards))}.</footer>
</body>
</html>
"""
