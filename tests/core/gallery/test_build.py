"""``ganvas gallery build|page`` on a tiny gallery (one image recipe, one 2-D point recipe), and the
consistency of the committed gallery/ (its pictures are made by a real `ganvas gallery build`)."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import Cli
from gallery_helpers import DESCRIPTION, REPO_GALLERY, build_tiny_gallery, make_gallery, write_recipe  # noqa: F401
from ganvas.io.images import read_png_text
from ganvas.plugin.manager import PluginHost
from ganvas.plugin.testing import tiny_recipe
from ganvas.recipe import load_recipe


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    base = tmp_path_factory.mktemp("gallery")
    return build_tiny_gallery(base / "gal", base / "runs")


class Links(HTMLParser):
    """Every src and href of a page (or a markdown file's HTML), the tags seen, and the <img> attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        found = dict(attrs)
        self.links += [v for k, v in attrs if k in ("src", "href") and v]
        if tag == "img":
            self.images.append(found)


def links_of(text: str) -> Links:
    parser = Links()
    parser.feed(text)
    parser.links += re.findall(r"\]\(([^)\s]+)\)", text)  # markdown links
    return parser


def assert_local_links_exist(root: Path, links: list[str]) -> None:
    for link in links:
        assert not re.match(r"^[a-z]+:|^//", link), f"external link {link!r}"
        assert (root / link.split("#")[0]).exists(), f"{link} is linked but does not exist in {root}"


def test_build_writes_pictures_and_manifest(built: tuple[Path, str]):
    root, output = built
    manifest = json.loads((root / "gallery.json").read_text())
    records = manifest["recipes"]
    assert set(records) == {"tiny", "ring"}
    tiny, ring = records["tiny"], records["ring"]
    assert tiny["kind"] == "images" and ring["kind"] == "points"
    assert tiny["steps"] == ring["steps"] == 6
    assert all(isinstance(r["seconds"], float) and r["seconds"] >= 0 for r in (tiny, ring))  # 0.0: under 50 ms
    assert tiny["command"] == "ganvas run gal/recipes/tiny.toml" and tiny["description"] == DESCRIPTION
    assert tiny["files"] == ["tiny.png", "tiny.curves.png", "tiny.walk.gif"]
    assert ring["files"] == ["ring.png", "ring.curves.png"]
    for name in [*tiny["files"], *ring["files"]]:
        assert (root / name).is_file()
    assert not list(root.glob("ring.walk*")), "point recipes get no animation"
    from PIL import Image

    with Image.open(root / "tiny.walk.gif") as gif:
        assert gif.n_frames > 1
    # the summary: per recipe seconds and files, then the folder's size
    assert re.search(r"^tiny\s+built\s+[\d.]+ s\s+tiny\.png", output, re.M)
    assert re.search(r"^gallery size: [\d.]+ (kB|MB)", output, re.M)


def test_pictures_embed_the_recipe_their_toml_resolves_to(built: tuple[Path, str]):
    root, _ = built
    host = PluginHost(entry_points=False)
    for name in ("tiny", "ring"):
        resolved = load_recipe(root / "recipes" / f"{name}.toml", host.registry)
        assert read_png_text(root / f"{name}.png")["ganvas:recipe"] == resolved.to_toml()


def test_readme_has_a_row_per_recipe_with_links_that_exist(built: tuple[Path, str]):
    root, _ = built
    readme = (root / "README.md").read_text()
    assert "ganvas gallery build" in readme and "--missing" in readme
    rows = [line for line in readme.splitlines() if line.startswith("| ") and "**" in line]
    assert [re.search(r"\*\*(\w+)\*\*", row)[1] for row in rows] == ["tiny", "ring"]
    tiny_row, ring_row = rows
    assert 'src="tiny.png"' in tiny_row and "`ganvas run gal/recipes/tiny.toml`" in tiny_row
    assert "procedural:circles 16 px · dcgan · nonsaturating · no augmentation · no stylizers" in tiny_row
    assert 'Tiny &lt;circles&gt; &amp; "friends" \\| a test' in tiny_row  # escaped for a markdown table
    assert re.search(r"\| \d+s for 6 steps<br><a href=\"tiny.curves.png\">training curves</a> \|$", tiny_row)
    assert "toy2d:ring · mlp" in ring_row and "walk" not in ring_row
    assert "tiny.walk.gif" in tiny_row
    assert_local_links_exist(root, links_of(readme).links)


def test_index_html_shows_every_picture_without_external_resources(built: tuple[Path, str]):
    root, _ = built
    page = (root / "index.html").read_text()
    parsed = links_of(page)
    assert_local_links_exist(root, parsed.links)
    files = [f for r in json.loads((root / "gallery.json").read_text())["recipes"].values() for f in r["files"]]
    sources = [img["src"] for img in parsed.images]
    assert set(files) <= set(sources)
    for img in parsed.images:
        assert int(img["width"]) > 0 and int(img["height"]) > 0 and img["alt"]
    assert not {"script", "link", "iframe"} & parsed.tags and "@import" not in page and "url(" not in page
    assert page.count('<article class="card"') == 2
    assert '<code class="cmd">ganvas run gal/recipes/tiny.toml' in page
    # the full recipe, HTML-escaped, in a <details> block
    toml = (root / "recipes" / "tiny.toml").read_text()
    assert (
        "<details>" in page
        and toml.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") in page
    )
    assert "<circles>" not in page


def test_missing_skips_up_to_date_recipes_and_rebuilds_changed_ones(built: tuple[Path, str], tmp_path: Path):
    root = tmp_path / "gal"
    shutil.copytree(built[0], root)
    runs = tmp_path / "runs"
    cli = Cli(PluginHost(entry_points=False), runs)
    before = json.loads((root / "gallery.json").read_text())["recipes"]
    output = cli("gallery", "build", "--gallery", str(root), "--runs-dir", str(runs), "--missing").output
    assert "tiny: up to date, skipped" in output and "ring: up to date, skipped" in output
    assert not runs.exists() or not any(runs.iterdir())

    write_recipe(root, "tiny", tiny_recipe(description=DESCRIPTION, train={"steps": 4}))
    output = cli("gallery", "build", "--gallery", str(root), "--runs-dir", str(runs), "--missing").output
    assert "ring: up to date, skipped" in output
    assert "tiny: to build (tiny.toml differs from the recipe in tiny.png: train.steps 6 -> 4)" in output
    assert [p.name for p in runs.iterdir()] == ["00000-tiny"]
    assert "steps = 4" in read_png_text(root / "tiny.png")["ganvas:recipe"]
    after = json.loads((root / "gallery.json").read_text())["recipes"]
    assert after["ring"] == before["ring"] and after["tiny"]["steps"] == 4

    # a deleted picture is missing; `gallery page` keeps the measured times without training
    (root / "ring.png").unlink()
    output = cli(
        "gallery", "build", "--gallery", str(root), "--runs-dir", str(runs), "--missing", "--only", "ring", "--no-walks"
    ).output
    assert "ring: to build (no ring.png yet)" in output and "tiny: " not in output
    cli("gallery", "page", "--gallery", str(root))
    readme = (root / "README.md").read_text()
    assert "for 4 steps" in readme and "for 6 steps" in readme


def test_page_without_a_build_says_what_is_missing(cli: Cli, tmp_path: Path):
    root = make_gallery(tmp_path / "gal")
    output = cli("gallery", "page", "--gallery", str(root)).output
    assert "tiny" in output and "not built yet" in output
    assert "(not built yet)" in (root / "README.md").read_text()
    assert "not built yet" in (root / "index.html").read_text()
    assert not (root / "tiny.png").exists()


@pytest.mark.parametrize(
    "args", [["--gallery", "{tmp}/nowhere"], ["--gallery", "{tmp}/empty"], ["--gallery", "{tmp}/gal", "--only", "tyni"]]
)
def test_bad_gallery_or_name_is_a_one_line_error(cli: Cli, tmp_path: Path, args: list[str]):
    (tmp_path / "empty" / "recipes").mkdir(parents=True)
    make_gallery(tmp_path / "gal")
    result = cli("gallery", "build", *[a.format(tmp=tmp_path) for a in args], code=2)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "did you mean 'tiny'" in lines[0] if "tyni" in args else "is not a gallery" in lines[0]


# -- the committed gallery -------------------------------------------------------------------------
# gallery/'s pictures, gallery.json, README.md and index.html come from `ganvas gallery build`
# (minutes per recipe on a CPU); after adding or changing a recipe, run it (or with --missing).


def test_committed_gallery_has_every_recipes_pictures_and_pages():
    recipes = sorted(p.stem for p in (REPO_GALLERY / "recipes").glob("*.toml"))
    assert recipes, "gallery/recipes holds no recipes"
    hint = "; run `ganvas gallery build --missing` from the repository root"
    manifest_path = REPO_GALLERY / "gallery.json"
    assert manifest_path.is_file(), f"gallery/gallery.json is missing{hint}"
    records = json.loads(manifest_path.read_text())["recipes"]
    readme = (REPO_GALLERY / "README.md").read_text() if (REPO_GALLERY / "README.md").is_file() else ""
    page = (REPO_GALLERY / "index.html").read_text() if (REPO_GALLERY / "index.html").is_file() else ""
    assert readme and page, f"gallery/README.md or gallery/index.html is missing{hint}"
    for name in recipes:
        assert name in records, f"gallery.json has no record of recipe '{name}'{hint}"
        record = records[name]
        assert (REPO_GALLERY / f"{name}.png").is_file(), f"gallery/{name}.png is missing{hint}"
        if record["kind"] == "images" and record.get("walks", True):  # repair runs have no latent space
            assert f"{name}.walk.gif" in record["files"], f"recipe '{name}' has no latent walk{hint}"
        for file in record["files"]:
            assert (REPO_GALLERY / file).is_file(), f"gallery/{file} is missing{hint}"
            shown = (f'src="{file}"', f'href="{file}"')  # a print-size picture is linked from its thumbnail
            assert any(s in readme for s in shown) and any(s in page for s in shown), (
                f"{file} is not on the pages{hint}"
            )
        assert f"**{name}**" in readme and f'id="{name}"' in page
        assert "ganvas:recipe" in read_png_text(REPO_GALLERY / f"{name}.png")
    assert_local_links_exist(REPO_GALLERY, links_of(readme).links + links_of(page).links)
    from ganvas.gallery.build import SIZE_BUDGET, gallery_size

    size = gallery_size(REPO_GALLERY)
    assert size < SIZE_BUDGET, f"gallery/ holds {size / 1e6:.1f} MB, over the {SIZE_BUDGET / 1e6:.0f} MB budget"


def test_print_size_and_tiling_recipes_get_a_thumbnail_and_a_2x2_layout(tmp_path: Path):
    from PIL import Image

    from ganvas.gallery import build as gal
    from ganvas.gallery.page import write_pages

    host = PluginHost(entry_points=False)
    write_recipe(
        tmp_path,
        "tex",
        tiny_recipe(name="tex", model={"name": "spatial"}, sample={"seeds": "1", "size": 420, "tile": True}),
    )
    gallery = gal.open_gallery(tmp_path, host.registry)
    (entry,) = gallery.entries
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("ganvas:recipe", gal.embedded_toml(entry.recipe))
    Image.new("RGB", (420, 420), (200, 40, 40)).save(gallery.image("tex"), pnginfo=info)
    written = gal.write_print_files(gallery, entry)
    assert written == [gallery.tiled("tex"), gallery.thumbnail("tex")]
    assert Image.open(gallery.tiled("tex")).size == (840, 840)
    assert Image.open(gallery.thumbnail("tex")).size == (gal.THUMB_PIXELS, gal.THUMB_PIXELS)
    readme, page = (p.read_text() for p in write_pages(gallery, {"recipes": {"tex": {"kind": "images"}}}))
    for text in (readme, page):
        assert 'href="tex.tiled.png"' in text and 'src="tex.thumb.png"' in text
        assert "420 x 420 px; click for full size; a seamless tile, shown 2 x 2" in text
    manifest = {"recipes": {"tex": {"kind": "images", "files": ["tex.png"]}}}
    gallery.thumbnail("tex").unlink()
    assert "tex.thumb.png" in (gal.stale_reason(gallery, entry, manifest, walks=False) or "")
