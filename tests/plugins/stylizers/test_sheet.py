"""The gallery's stylizer sheet: every stylizer, on each photo at its own size."""

from __future__ import annotations

import torch

from ganvas.plugin import PluginHost
from ganvas.plugins.stylizers.sheet import CELLS, main, stylized_cells
from ganvas.plugins.stylizers.specs import SPECS

from .stylizer_helpers import one_thread  # noqa: F401  (autouse fixture)


def test_every_stylizer_has_a_cell_except_the_trained_model():
    shown = {spec.split(":")[0] for _, chain in CELLS for spec in chain}
    assert shown == {spec.name for spec in SPECS} - {"model"}  # model needs a run: the repair sheet shows it


def test_cells_keep_each_photo_at_its_own_size(tmp_path):
    photos = {"wide": torch.rand(1, 3, 24, 40), "square": torch.rand(1, 3, 32, 32)}
    cells = stylized_cells(photos, PluginHost(entry_points=False))
    assert [label for label, _ in cells[1:]] == [label for label, _ in CELLS]
    for label, pictures in cells:
        assert [p.size for p in pictures] == [(40, 24), (32, 32)], label


def test_main_writes_a_jpeg_sheet(tmp_path, capsys):
    from ganvas.io import save_png

    paths = []
    for i, (h, w) in enumerate(((24, 36), (28, 28))):
        paths.append(tmp_path / f"photo{i}.png")
        save_png(torch.rand(3, h, w).mul(255).byte(), paths[-1])
    out = tmp_path / "sheet.jpg"
    main([str(out), "--photo", str(paths[0]), "--photo", str(paths[1])])
    assert out.read_bytes()[:2] == b"\xff\xd8" and "sheet.jpg" in capsys.readouterr().out
