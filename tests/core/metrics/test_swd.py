"""Laplacian SWD: the pyramid, the protocol's properties, and `ganvas eval`."""

import json

import pytest
import torch

from ganvas.metrics.swd import laplacian_pyramid, normalize_descriptors, patch_descriptors, sliced_wasserstein, swd


def _images(n=16, size=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    base = torch.rand(n, 3, size // 4, size // 4, generator=g)
    return torch.nn.functional.interpolate(base, size=(size, size), mode="bilinear", align_corners=False) * 2 - 1


def test_pyramid_goes_down_to_16_px_and_reconstructs():
    x = _images(n=2, size=64).double()
    levels = laplacian_pyramid(x)
    assert [l.shape[-1] for l in levels] == [64, 32, 16]
    from ganvas.metrics.swd import _up

    rebuilt = levels[-1]
    for detail in reversed(levels[:-1]):
        rebuilt = detail + _up(rebuilt, detail.shape[-2:])
    assert torch.allclose(rebuilt, x, atol=1e-10)


def test_patches_and_normalisation():
    x = _images(n=2, size=16)
    desc = patch_descriptors(x, patches=5, generator=torch.Generator().manual_seed(0))
    assert desc.shape == (10, 3, 7, 7)
    flat = normalize_descriptors(desc)
    assert flat.shape == (10, 147)
    per_channel = flat.view(10, 3, 49)
    assert torch.allclose(per_channel.mean(dim=(0, 2)), torch.zeros(3), atol=1e-5)


def test_sliced_wasserstein_of_shifted_points():
    a = torch.randn(500, 4, generator=torch.Generator().manual_seed(0))
    assert sliced_wasserstein(a, a, 64).item() == 0
    assert sliced_wasserstein(a, a + 1.0, 64).item() > 0.5


def test_swd_of_a_set_with_itself_is_zero_and_grows_with_noise():
    x = _images(n=6, size=32)
    same = swd(x, x, patches=32, projections=32)
    assert set(same["levels"]) == {"32", "16"} and same["average"] == pytest.approx(0, abs=1e-9)
    g = torch.Generator().manual_seed(1)
    values = [
        swd(x, x + s * torch.randn(x.shape, generator=g), patches=32, projections=32)["average"]
        for s in (0.05, 0.3, 1.0)
    ]
    assert 0 < values[0] < values[1] < values[2]


def test_swd_rejects_sets_of_different_shapes():
    with pytest.raises(ValueError, match="differ in shape"):
        swd(torch.zeros(2, 3, 16, 16), torch.zeros(2, 1, 16, 16))


def test_eval_prints_swd_with_the_real_floor(cli, tiny_recipe_file):
    cli("train", str(tiny_recipe_file), "--set", "train.steps=1", "--set", "train.sample_every=0", "-q")
    result = cli("eval", "latest", "--samples", "8", "--json")
    report = json.loads(result.output)
    assert report["samples"] == 8
    assert report["real_floor"]["average"] >= 0 and report["fake"]["average"] > 0
    assert set(report["fake"]["levels"]) == {"16"}


def test_in_training_swd_is_logged_and_changes_nothing_else(host, tmp_path):
    from ganvas.plugin.testing import tiny_recipe as tiny_raw
    from ganvas.recipe import parse_recipe
    from ganvas.training.loop import Trainer

    def run(name, **train):
        (tmp_path / name).mkdir()
        raw = tiny_raw(
            train={"steps": 2, "sample_every": 0, "checkpoint_every": 0, **train},
            data={"source": "procedural:circles", "size": 16, "count": 16},
        )
        trainer = Trainer(parse_recipe(raw, host.registry), tmp_path / name, host, quiet=True)
        trainer.run()
        return trainer

    plain, evaluated = run("plain"), run("eval", eval_every=2)
    line = json.loads((evaluated.run_dir / "stats.jsonl").read_text().splitlines()[-1])
    assert line["SWD/avg"] > 0 and line["SWD/real_floor"] >= 0 and "SWD/16px" in line
    for a, b in zip(plain.method.G.parameters(), evaluated.method.G.parameters()):
        assert torch.equal(a, b)
