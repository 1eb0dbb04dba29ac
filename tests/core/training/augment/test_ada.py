"""ADA's controller, the [augment] recipe section, and the augment / eval commands."""

import pytest
import torch

from ganvas.plugin.testing import tiny_recipe as tiny_raw
from ganvas.recipe import RecipeError, parse_recipe
from ganvas.training.augment import AdaController, AugmentPipeline


def _controller(p=0.5, **kw):
    pipe = AugmentPipeline([("noise", lambda x, g: x)], p, adaptive=True)
    return pipe, AdaController(pipe, **kw)


def test_p_moves_up_when_d_overfits_and_down_otherwise():
    pipe, ada = _controller(0.5, target=0.6, interval=4, kimg=1.0)
    for _ in range(3):
        ada.observe(torch.tensor(0.9), 50)
    assert pipe.p.item() == 0.5  # only every 4 minibatches
    ada.observe(torch.tensor(0.9), 50)
    assert pipe.p.item() == pytest.approx(0.5 + 200 / 1000)
    for _ in range(4):
        ada.observe(torch.tensor(0.1), 50)
    assert pipe.p.item() == pytest.approx(0.5)
    for _ in range(40):
        ada.observe(torch.tensor(-1.0), 50)
    assert pipe.p.item() == 0.0  # clipped


def test_controller_state_round_trips():
    pipe, ada = _controller(0.3, interval=4)
    ada.observe(torch.tensor(1.0), 8)
    pipe2, ada2 = _controller(0.0, interval=4)
    ada2.load_state_dict(ada.state_dict())
    pipe2.load_state_dict(pipe.state_dict())
    assert (ada2.batches, ada2.images, float(ada2.sign_sum), pipe2.p.item()) == (1, 8, 1.0, pytest.approx(0.3))


def test_recipe_augment_defaults_and_round_trip(host):
    recipe = parse_recipe(tiny_raw(augment={"policy": "color,cutout", "cutout": {"ratio": 0.25}}), host.registry)
    assert recipe.augment.p == 1.0 and recipe.augment.ada is False
    assert recipe.augment.ops["cutout"] == {"ratio": 0.25}
    ada = parse_recipe(tiny_raw(augment={"policy": "color", "ada": True}), host.registry)
    assert ada.augment.p == 0.0 and ada.augment.ada_target == 0.6 and ada.augment.ada_interval == 4
    import tomllib

    again = parse_recipe(tomllib.loads(recipe.to_toml()), host.registry)
    assert again.augment == recipe.augment


def test_recipe_augment_reports_every_problem(host):
    raw = tiny_raw(augment={"policy": "colr", "p": 2.0, "speed": 1, "ada": True, "flip": {"chance": 0.5}})
    with pytest.raises(RecipeError) as info:
        parse_recipe(raw, host.registry)
    text = str(info.value)
    assert "augment.speed: unknown key" in text and "ada_target" in text
    assert "augment.p" in text
    assert "unknown augmentation 'colr'" in text and "valid: affine, color" in text
    assert "augment.flip" in text and "not in the policy" in text


def test_preview_writes_a_grid(cli, tmp_path, tiny_recipe_file):
    out = tmp_path / "preview.png"
    result = cli(
        "augment",
        "preview",
        str(tiny_recipe_file),
        "--policy",
        "color,translation,cutout",
        "--count",
        "4",
        "-o",
        str(out),
    )
    assert out.is_file() and "wrote" in result.output
    bad = cli("augment", "preview", str(tiny_recipe_file), "--policy", "colr", "-o", str(out), code=2)
    assert "did you mean 'color'" in bad.output
