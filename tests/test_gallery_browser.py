"""The gallery page in headless Chromium: every image loads, nothing overflows or overlaps, and a
screenshot (printed; copied to $GANVAS_SCREENSHOT when set) shows more than a blank page.

The committed page has no script: each test copies it next to the pictures' folder with a
``<base href>`` and a check script that writes its findings into the DOM, which ``--dump-dom``
prints. Needs Debian's ``chromium`` (.ci/run installs it); without it the tests skip, or fail
under CI.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from browser_helpers import chromium, run_chromium
from gallery_helpers import REPO_GALLERY, build_tiny_gallery

pytestmark = pytest.mark.slow  # about 7 s of browser runs each (plus a tiny build)

WIDTHS = (1280, 420)  # a desktop window and a phone (headless Chromium lays out at least 500 px)

CHECK = """<script>
window.addEventListener("load", () => {
  const box = (el) => el.getBoundingClientRect();
  const images = [...document.images];
  const broken = images.filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.getAttribute("src"));
  const tiny = images.filter((i) => box(i).width < 16 || box(i).height < 16).map((i) => i.getAttribute("src"));
  const cards = [...document.querySelectorAll(".card")];
  const overlaps = [];
  cards.forEach((a, i) => cards.slice(i + 1).forEach((b) => {
    const p = box(a), q = box(b);
    if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1)
      overlaps.push(a.id + "/" + b.id);
  }));
  const spilling = cards.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.id);
  const outside = images.filter((i) => {
    const card = i.closest(".card");
    if (!card) return false;
    const p = box(i), q = box(card);
    return p.left < q.left - 1 || p.right > q.right + 1;
  }).map((i) => i.getAttribute("src"));
  document.body.setAttribute("data-check", JSON.stringify({
    images: images.length, broken, tiny, cards: cards.length, overlaps, spilling, outside,
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
  }));
});
</script>"""


def checked_copy(gallery: Path, tmp: Path) -> Path:
    """index.html with a <base> pointing at ``gallery`` and the check script, in ``tmp``."""
    source = gallery / "index.html"
    assert source.is_file(), f"{source} is missing; run `ganvas gallery build`"
    text = source.read_text()
    assert "<script" not in text, "the gallery page needs no script"
    base = f'<base href="{gallery.resolve().as_uri()}/">'
    text = text.replace("<head>", f"<head>\n{base}", 1).replace("</body>", f"{CHECK}\n</body>", 1)
    page = tmp / "checked.html"
    page.write_text(text)
    return page


def check_page(gallery: Path, tmp: Path, screenshot_to: str | None) -> Path:
    page = checked_copy(gallery, tmp)
    expected_images = len(re.findall(r"<img\b", (gallery / "index.html").read_text()))
    for width in WIDTHS:
        dom = run_chromium(tmp, width, "--dump-dom", page.as_uri())
        found = re.search(r'data-check="([^"]*)"', dom)
        assert found, f"the check script did not run at {width} px; chromium printed:\n{dom[:2000]}"
        report = json.loads(html.unescape(found[1]))
        where = f"at {width} px: {report}"
        assert report["images"] == expected_images and report["cards"] > 0, where
        assert report["broken"] == [], f"images that did not load {where}"
        assert report["tiny"] == [], f"images shown smaller than 16 px {where}"
        assert report["scrollWidth"] <= report["innerWidth"], f"the page scrolls sideways {where}"
        assert report["overlaps"] == [], f"cards overlap {where}"
        assert report["spilling"] == [] and report["outside"] == [], f"content spills out of cards {where}"
    shot = tmp / "gallery-1280.png"
    run_chromium(tmp, 1280, f"--screenshot={shot}", page.as_uri())
    assert shot.is_file(), "chromium wrote no screenshot"
    with Image.open(shot) as img:
        colours = img.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 64, f"the screenshot {shot} is nearly blank ({len(colours)} colours)"
    print(f"screenshot: {shot}")
    if screenshot_to:
        Path(screenshot_to).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, screenshot_to)
        print(f"screenshot copied to {screenshot_to}")
    return shot


def test_built_gallery_page_renders(tmp_path: Path):
    chromium()  # skip before training when there is no browser
    gallery, _ = build_tiny_gallery(tmp_path / "gal", tmp_path / "runs")
    target = os.environ.get("GANVAS_SCREENSHOT")
    if target:
        target = str(Path(target).with_name(Path(target).stem + "-tiny" + Path(target).suffix))
    check_page(gallery, tmp_path, target)


def test_committed_gallery_page_renders(tmp_path: Path):
    chromium()
    check_page(REPO_GALLERY, tmp_path, os.environ.get("GANVAS_SCREENSHOT"))
