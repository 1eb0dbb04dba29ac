"""The ``pyramid`` method: its scales, noise, training, exact resume, drawing at any size, errors."""

import numpy as np
import pytest
import tomli_w
import torch
from PIL import Image

from ganvas import hookimpl
from ganvas.plugin.testing import check_method, make_host, tiny_recipe
from ganvas.plugins.methods.pyramid import PyramidMethod
from ganvas.plugins.methods.pyramid_nets import LATENT, hash_noise, pyramid_sizes

PARAMS = dict(
    scales=3,
    min_size=12,
    scale_factor=0.75,
    width=8,
    layers=2,
    padding="zeros",
    concurrent=2,
    lr_scale=0.1,
    rec_weight=10.0,
    gp_weight=0.1,
    repeats=1,
)
DATA = {"source": "image:landscape", "size": 32}


def _recipe(tmp_path, steps=6, **method):
    raw = tiny_recipe(data=DATA, train={"steps": steps, "checkpoint_every": 3, "sample_every": 3})
    raw["method"] = {"name": "pyramid", **{**PARAMS, **method}}
    raw.pop("model"), raw.pop("loss")
    path = tmp_path / "p.toml"
    path.write_text(tomli_w.dumps(raw))
    return path


def test_the_pyramid_runs_from_min_size_to_the_picture():
    sizes = pyramid_sizes(167, 250, 0, 25, 0.75)
    assert sizes[-1] == (167, 250) and min(sizes[0]) == 25 and len(sizes) == 8
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in zip(sizes, sizes[1:]))
    assert pyramid_sizes(40, 40, 3, 10, 0.75) == [(10, 10), (20, 20), (40, 40)]


def test_drawing_noise_depends_only_on_the_latent_and_the_pixel():
    z = torch.randn(2, LATENT, generator=torch.Generator().manual_seed(0))
    z = z / z.norm(dim=1, keepdim=True) * LATENT**0.5  # |z|^2 = LATENT: the projection has unit variance
    big, small = hash_noise(z, 1, (30, 40)), hash_noise(z, 1, (10, 20))
    assert torch.allclose(big[..., :10, :20], small) and abs(float(big.std()) - 1) < 0.1
    assert not torch.allclose(hash_noise(z, 2, (10, 20)), small)  # another stage, other noise


def test_the_method_keeps_the_contract():
    check_method(PyramidMethod, PARAMS, data=DATA)


class StopAtThree:
    @hookimpl
    def on_step_end(self, trainer, step):
        if step == 3:
            trainer.request_stop()


def test_training_resumes_exactly_across_stages(tmp_path):
    from ganvas.recipe import load_recipe
    from ganvas.training import Trainer, TrainingInterrupted

    host = make_host(StopAtThree())
    recipe = load_recipe(_recipe(tmp_path), host.registry)
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    straight = Trainer(recipe, tmp_path / "a", make_host(), quiet=True)
    straight.run()
    with pytest.raises(TrainingInterrupted):
        Trainer(recipe, tmp_path / "b", host, quiet=True).run()
    resumed = Trainer.resume(tmp_path / "b", make_host(), recipe, quiet=True)
    assert resumed.step < 6
    resumed.run()
    for a, b in zip(straight.method.G.parameters(), resumed.method.G.parameters()):
        assert torch.equal(a, b)


def test_variations_draw_natively_at_any_size_and_recreate(cli, tmp_path):
    cli("train", str(_recipe(tmp_path)), "-q")
    run = next(cli.runs_dir.iterdir())
    out = tmp_path / "wide.png"
    result = cli("sample", str(run), "--seeds", "1", "--size", "64x24", "-o", str(out))
    assert "rendered natively at 64x24" in result.output
    assert Image.open(out).size == (64, 24)
    again = tmp_path / "again.png"
    cli("run", str(out), "-o", str(again), "-q")
    assert np.array_equal(np.asarray(Image.open(out)), np.asarray(Image.open(again)))


def test_a_set_of_pictures_or_a_tiny_picture_is_refused(cli, tmp_path):
    raw = tiny_recipe(train={"steps": 2})
    raw["method"] = {"name": "singan", **PARAMS}
    raw.pop("model"), raw.pop("loss")
    path = tmp_path / "many.toml"
    path.write_text(tomli_w.dumps(raw))
    assert "learns one picture" in cli("train", str(path), code=2).output
    small = _recipe(tmp_path, min_size=40)
    assert "smaller than its coarsest scale" in cli("train", str(small), code=2).output
    assert not cli.runs_dir.exists() or not any(cli.runs_dir.iterdir())
