"""``ganvas run`` and ``ganvas train``: what a failed start leaves behind."""

from __future__ import annotations

import tomli_w

from ganvas.plugin.testing import tiny_recipe


def test_a_start_that_fails_leaves_no_run_folder(cli, tmp_path):
    # valid on its own, but augmentations need pictures: the trainer refuses it after the run
    # folder was made, and the folder goes again
    raw = tiny_recipe(data={"source": "toy2d:ring", "count": 64}, model={"name": "mlp"}, augment={"policy": "color"})
    path = tmp_path / "points.toml"
    path.write_text(tomli_w.dumps(raw))
    result = cli("train", str(path), "-q", code=2)
    assert "needs an image dataset" in result.output
    assert not cli.runs_dir.exists() or not any(cli.runs_dir.iterdir())
