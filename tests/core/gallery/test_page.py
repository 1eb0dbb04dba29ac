"""The gallery pages come from templates shipped as package data, and the committed pages are
exactly what they render from the committed manifest (so a template edit shows in the diff)."""

from __future__ import annotations

import shutil
from pathlib import Path

from gallery_helpers import REPO_GALLERY
from ganvas.gallery.build import open_gallery, read_manifest
from ganvas.gallery.page import write_pages
from ganvas.plugin.manager import PluginHost


def test_committed_pages_are_what_the_templates_render(tmp_path: Path):
    copy = tmp_path / "gallery"
    shutil.copytree(REPO_GALLERY, copy)
    (copy / "index.html").unlink()
    (copy / "README.md").unlink()
    gallery = open_gallery(copy, PluginHost(entry_points=False).registry)
    written = write_pages(gallery, read_manifest(copy))
    assert sorted(p.name for p in written) == ["README.md", "index.html"]
    for name in ("index.html", "README.md"):
        assert (copy / name).read_bytes() == (REPO_GALLERY / name).read_bytes(), f"{name} differs"


def test_values_are_escaped_in_the_page(tmp_path: Path):
    from gallery_helpers import DESCRIPTION, make_gallery

    root = make_gallery(tmp_path / "gal")
    gallery = open_gallery(root, PluginHost(entry_points=False).registry)
    write_pages(gallery, {"recipes": {}})
    page = (root / "index.html").read_text()
    assert "Tiny &lt;circles&gt; &amp; &quot;friends&quot;" in page and DESCRIPTION not in page
    assert "$" not in page.replace("$ ", "")  # every template placeholder was filled
