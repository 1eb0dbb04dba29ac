"""plugins/methods/pyramid_drawer.py: drawing from a scale (--at), from a user's picture
(--inject), super-resolution (--enlarge), the reconstruction, and their one-line errors."""

import numpy as np
import pytest
import tomli_w
import torch
from PIL import Image

from ganvas import UserInputError
from ganvas.plugin.testing import tiny_recipe
from ganvas.plugins.methods.pyramid_drawer import resize, scaled_sizes

PARAMS = dict(scales=3, min_size=12, scale_factor=0.75, width=8, layers=2, concurrent=2, repeats=1)


@pytest.fixture(scope="module")
def drawer(tmp_path_factory):
    from ganvas.plugin.testing import make_host
    from ganvas.recipe import load_recipe
    from ganvas.training import Trainer

    torch.set_num_threads(1)
    tmp = tmp_path_factory.mktemp("pyramid")
    raw = tiny_recipe(data={"source": "image:landscape", "size": 32}, train={"steps": 30, "lr_g": 5e-4})
    raw["method"] = {"name": "pyramid", **PARAMS}
    raw.pop("model"), raw.pop("loss")
    (tmp / "p.toml").write_text(tomli_w.dumps(raw))
    host = make_host()
    trainer = Trainer(load_recipe(tmp / "p.toml", host.registry), tmp / "run", host, quiet=True)
    for step in range(30):
        trainer.method.train_step(step)
    return trainer.method.current_drawer()


def _png(path, size, mode="RGB", colour=(200, 40, 40)):
    Image.new(mode, size, colour if mode == "RGB" else 90).save(path)
    return str(path)


def test_scaled_sizes_keep_each_scales_ratio_to_the_finest():
    assert scaled_sizes([(10, 20), (20, 40)], (40, 40)) == [(20, 20), (40, 40)]


def test_at_the_top_the_drawing_is_the_picture_and_below_it_seeds_vary(drawer):
    z = drawer.latents([0, 1])
    top = drawer.draw(z, at=drawer.scales)
    assert torch.equal(top[0], drawer.picture[0]) and torch.equal(top[0], top[1])
    for at in range(drawer.scales):
        drawn = drawer.draw(z, at=at)
        assert drawn.shape == (2, *drawer.picture.shape[1:])
        assert not torch.equal(drawn[0], drawn[1])
    wide = drawer.draw(z[:1], at=1, size=(24, 64))
    assert wide.shape == (1, 3, 24, 64)


def test_drawing_from_higher_up_keeps_more_of_the_picture(drawer):
    z = drawer.latents(list(range(6)))
    distance = [float((drawer.draw(z, at=at) - drawer.picture).abs().mean()) for at in (0, drawer.scales - 1)]
    assert distance[1] < distance[0]


def test_the_reconstruction_comes_closer_than_any_variation(drawer):
    rec = drawer.reconstruction()
    assert rec.shape == drawer.picture.shape
    samples = drawer.draw(drawer.latents(list(range(4))))
    assert float((rec - drawer.picture).abs().mean()) < float(
        (samples - drawer.picture).abs().mean(dim=(1, 2, 3)).min()
    )


def test_an_injected_picture_is_what_the_upper_scales_refine(drawer, tmp_path):
    h, w = drawer.native_size
    red = _png(tmp_path / "red.png", (w * 3, h * 3))
    z = drawer.latents([0])
    assert torch.allclose(drawer.draw(z, at=drawer.scales, inject=red)[0, 0], torch.tensor(200 / 127.5 - 1), atol=0.02)
    injected, plain = drawer.draw(z, at=1, inject=red), drawer.draw(z, at=1)
    assert float(injected[:, 0].mean() - injected[:, 2].mean()) > float(plain[:, 0].mean() - plain[:, 2].mean()) + 0.3


def test_an_injected_picture_of_another_shape_or_kind_is_refused_saying_how_to_fix_it(drawer, tmp_path):
    h, w = drawer.native_size
    z = drawer.latents([0])
    with pytest.raises(UserInputError, match=r"another shape .* --size 64x64"):
        drawer.draw(z, at=1, inject=_png(tmp_path / "square.png", (64, 64)))
    with pytest.raises(UserInputError, match="greyscale but this run draws colour"):
        drawer.draw(z, at=1, inject=_png(tmp_path / "grey.png", (w, h), mode="L"))
    square = drawer.draw(z, at=1, inject=_png(tmp_path / "sq.png", (64, 64)), size=(40, 40))
    assert square.shape == (1, 3, 40, 40)


def test_enlarging_super_resolves_the_picture_by_the_factor(drawer):
    h, w = drawer.native_size
    z = drawer.latents([3])
    big = drawer.draw(z, enlarge=2.5)
    assert big.shape == (1, 3, round(h * 2.5), round(w * 2.5))
    assert torch.equal(big, drawer.draw(z, enlarge=2.5))
    bicubic = resize(drawer.picture, big.shape[-2:])
    assert float((big - bicubic).abs().mean()) < 0.5  # the picture, enlarged, not another one


def test_an_old_design_checkpoint_says_to_train_again():
    from ganvas.plugins.methods.pyramid import PyramidMethod

    with pytest.raises(ValueError, match="train it again"):
        PyramidMethod.drawer(None, {"design": None})


def test_sample_options_from_the_cli_recreate_and_bad_ones_exit_2(cli, tmp_path):
    raw = tiny_recipe(data={"source": "image:landscape", "size": 32}, train={"steps": 3})
    raw["method"] = {"name": "pyramid", **PARAMS}
    raw.pop("model"), raw.pop("loss")
    (tmp_path / "p.toml").write_text(tomli_w.dumps(raw))
    assert "training pyramid on image:landscape" in cli("train", str(tmp_path / "p.toml")).stderr
    run = str(next(cli.runs_dir.iterdir()))
    out = tmp_path / "at.png"
    cli("sample", run, "--seeds", "2", "--at", "1", "-o", str(out))
    again = tmp_path / "again.png"
    cli("run", str(out), "-o", str(again), "-q")
    assert np.array_equal(np.asarray(Image.open(out)), np.asarray(Image.open(again)))
    assert "0x5" in cli("sample", run, "--size", "0x5", code=2).output
    assert "3 scales" in cli("sample", run, "--at", "9", code=2).output
    assert "--enlarge" in cli("sample", run, "--enlarge", "2", "--size", "64", code=2).output
    assert (
        "another shape" in cli("sample", run, "--at", "1", "--inject", _png(tmp_path / "s.png", (9, 40)), code=2).output
    )
