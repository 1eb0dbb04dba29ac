"""The ``pix2pix`` method: its contract, a CLI run and sample, exact resume, its U-Net, every built-in
corruption, refused crops, the drawer's translate() and that it learns to denoise."""

import math

import pytest
import tomli_w
import torch
from click.testing import CliRunner
from PIL import Image

from ganvas import hookimpl
from ganvas.cli import make_cli
from ganvas.drawing.sampler import load_run
from ganvas.plugin.testing import check_method, make_host, tiny_recipe
from ganvas.plugins.corruptions.masks import Mask
from ganvas.plugins.corruptions.ops import Downscale, Noise
from ganvas.plugins.methods.pix2pix import Pix2PixMethod
from ganvas.plugins.methods.translate_drawer import TranslateDrawer
from ganvas.plugins.methods.translate_nets import PatchCritic, UNet, critic_layers
from ganvas.recipe import parse_recipe
from ganvas.training import Trainer, TrainingInterrupted

# 24 px: the smallest crop the PatchGAN critic's five 4x4 convolutions take
PARAMS = dict(
    crop=24, width=4, depth=2, d_width=4, l1=100.0, adversarial=1.0, perceptual=0.5, gan_loss="lsgan", holdout=2
)
DATA = {"source": "procedural:circles", "size": 24, "count": 10}
CORRUPTIONS = {
    "noise": {"name": "noise", "sigma": 30.0},
    "downscale": {"name": "downscale", "factor": 2},
    "mask": {"name": "mask"},
    "grayscale": {"name": "grayscale"},
    "edges": {"name": "edges"},
}


def _raw(steps=4, corrupt=None, data=None, **method):
    raw = tiny_recipe(
        data=data or DATA,
        train={"steps": steps, "batch": 4, "sample_every": 2, "checkpoint_every": 2, "log_every": 1, "eval_every": 2},
    )
    raw.pop("model"), raw.pop("loss")
    raw["method"] = {"name": "pix2pix", **{**PARAMS, **method}}
    raw["corrupt"] = corrupt or CORRUPTIONS["noise"]
    return raw


def _file(tmp_path, raw, name="repair.toml"):
    path = tmp_path / name
    path.write_text(tomli_w.dumps(raw))
    return path


def _trainer(host, tmp_path, raw, name="run"):
    """A trainer in the run folder ``name``, its recipe.toml written as ``ganvas train`` writes it."""
    recipe = parse_recipe(raw, host.registry, source=name)
    (tmp_path / name).mkdir()
    (tmp_path / name / "recipe.toml").write_text(recipe.to_toml())
    return Trainer(recipe, tmp_path / name, host, quiet=True)


def _psnr01(a, b):
    return 10 * math.log10(1 / float((a - b).pow(2).mean()))


# -- the contract, the command line ------------------------------------------------------------


def test_the_method_keeps_the_contract():
    check_method(Pix2PixMethod, PARAMS, data=DATA, corrupt=CORRUPTIONS["noise"])


def test_a_cli_run_trains_and_samples_before_and_after(cli, tmp_path):
    output = cli("run", str(_file(tmp_path, _raw())), "-q").output
    assert "image:" in output
    run = next(cli.runs_dir.iterdir())
    stats = (run / "stats.jsonl").read_text()
    assert "PSNR/model" in stats and "PSNR/input" in stats  # eval_every on the held-out pictures
    first, again = tmp_path / "one.png", tmp_path / "again.png"
    cli("sample", str(run), "--seeds", "3", "-o", str(first))
    cli("sample", str(run), "--seeds", "3", "-o", str(again))
    width, height = Image.open(first).size
    assert (width, height) == (48, 24), "damaged | repaired, each the size of a held-out picture"
    assert Image.open(first).tobytes() == Image.open(again).tobytes(), "a seed gives the same damage"


class StopAtThree:
    @hookimpl
    def on_step_end(self, trainer, step):
        if step == 3:
            trainer.request_stop()


def test_training_resumes_exactly(tmp_path):
    raw = _raw(steps=6)
    raw["train"].update(checkpoint_every=3, sample_every=3, eval_every=3)
    straight = _trainer(make_host(), tmp_path, raw, "a")
    straight.run()
    with pytest.raises(TrainingInterrupted):
        _trainer(make_host(StopAtThree()), tmp_path, raw, "b").run()
    recipe = parse_recipe(raw, make_host().registry, source="b")
    resumed = Trainer.resume(tmp_path / "b", make_host(), recipe, quiet=True)
    assert resumed.step == 3
    resumed.run()
    a, b = straight.method, resumed.method
    for net in ("G", "D"):
        pairs = list(zip(getattr(a, net).state_dict().values(), getattr(b, net).state_dict().values()))
        assert pairs and all(torch.equal(x, y) for x, y in pairs), f"{net} differs after resuming"
    assert a.G.head.weight.abs().sum() > 0, "it trained: the U-Net's head starts at zero"


# -- the U-Net -------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(13, 19), (9, 9), (8, 8), (5, 7), (24, 17), (31, 30)])
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_the_unet_keeps_any_size_and_starts_as_the_identity(size, depth):
    x = torch.rand(2, 3, *size) * 2 - 1
    net = UNet(3, 3, 4, depth)
    out = net(x)
    assert out.shape == x.shape and torch.equal(out, x)
    masked = UNet(4, 3, 4, depth)  # colour and a mask channel in, colour out
    assert torch.equal(masked(torch.cat([x, x[:, :1]], 1)), x)
    torch.nn.init.normal_(net.head.weight)
    assert not torch.equal(net(x), x), "the identity comes from the zero head, not from a broken path"


def test_a_plain_unet_gives_pictures_in_range():
    net = UNet(3, 3, 4, 2, residual=False)
    torch.nn.init.normal_(net.head.weight, std=5.0)
    out = net(torch.rand(1, 3, 11, 14) * 2 - 1)
    assert out.shape == (1, 3, 11, 14) and out.abs().max() <= 1


@pytest.mark.parametrize("size, depth", [((4, 4), 3), ((3, 5), 3), ((1, 2), 2)])
def test_the_unet_takes_a_picture_smaller_than_its_coarsest_cell(size, depth):
    x = torch.rand(1, 3, *size) * 2 - 1
    assert torch.equal(UNet(3, 3, 4, depth)(x), x)


# -- every corruption, and the drawer ----------------------------------------------------------------


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_a_short_run_with_each_corruption_and_translate_at_another_size(host, tmp_path, corruption):
    raw = _raw(steps=2, corrupt=CORRUPTIONS[corruption])
    raw["train"].update(sample_every=1, eval_every=1)
    trainer = _trainer(host, tmp_path, raw)
    trainer.run()
    assert len(list((trainer.run_dir / "samples").iterdir())) == 2
    loaded = load_run(trainer.run_dir, host, torch.device("cpu")).drawer
    assert loaded.translate_scale == (2 if corruption == "downscale" else 1)
    assert loaded.needs_mask == (corruption == "mask")
    pictures = torch.rand(2, 3, 17, 29, generator=torch.Generator().manual_seed(0))  # not the 24-px crops
    mask = (torch.rand(2, 1, 17, 29, generator=torch.Generator().manual_seed(1)) > 0.7).float()
    given = {"mask": mask} if corruption == "mask" else {}
    out = loaded.translate(pictures, **given)
    factor = loaded.translate_scale
    assert out.shape == (2, 3, 17 * factor, 29 * factor)
    assert torch.isfinite(out).all() and out.min() >= 0 and out.max() <= 1
    in_memory = trainer.method.current_drawer().translate(pictures, **given)
    assert torch.allclose(in_memory, out, atol=1e-6), "the checkpoint's drawer is the trained one"


def _drawer(corruption, in_channels=3, seed=0):
    """A drawer around a U-Net that changes every pixel (its head is not zero)."""
    torch.manual_seed(seed)
    net = UNet(in_channels, 3, 4, 2)
    torch.nn.init.normal_(net.head.weight, std=2.0)
    torch.nn.init.constant_(net.head.bias, 0.4)
    demos = torch.rand(2, 3, 16, 16) * 2 - 1
    return TranslateDrawer(net.eval(), corruption, demos, torch.device("cpu"), "corruption 'test'")


def test_translate_keeps_a_pictures_size_or_enlarges_it_by_the_factor():
    pictures = torch.rand(1, 3, 13, 21)
    assert _drawer(Noise()).translate(pictures).shape == (1, 3, 13, 21)
    assert _drawer(Downscale(factor=2)).translate(pictures).shape == (1, 3, 26, 42)
    assert _drawer(Downscale(factor=3)).translate(pictures).shape == (1, 3, 39, 63)


def test_translate_of_holes_keeps_the_known_pixels_exactly():
    drawer = _drawer(Mask(), in_channels=4)
    pictures = torch.randint(0, 256, (2, 3, 19, 23), generator=torch.Generator().manual_seed(0)).float() / 255
    mask = torch.zeros(2, 1, 19, 23)
    mask[0, :, 3:9, 4:15] = 1
    mask[1, :, 10:, :6] = 1
    out = drawer.translate(pictures, mask)
    assert out.shape == pictures.shape
    known, holes = (mask == 0).expand_as(pictures), (mask == 1).expand_as(pictures)
    assert torch.equal((out[known] * 255).round(), (pictures[known] * 255).round()), "known pixels kept"
    assert (out[known] - pictures[known]).abs().max() < 1e-6
    assert (out[holes] - 0.5).abs().mean() > 0.05, "holes are the network's, not left grey"
    assert (out[holes] - pictures[holes]).abs().mean() > 0.05
    plain = _drawer(Noise(), seed=0).translate(pictures)
    assert (plain - pictures).abs().mean() > 0.05, "without a mask every pixel is the network's"


def test_draw_shows_before_and_after_side_by_side():
    drawer = _drawer(Noise(sigma=40.0))
    latents = drawer.latents([0, 5])
    pictures = drawer.draw(latents)
    assert pictures.shape == (2, 3, 16, 32)
    again = drawer.draw(drawer.latents([5]))
    assert torch.equal(again, pictures[1:]), "a seed's picture does not depend on the others drawn"
    damaged = pictures[..., :16]
    assert not torch.equal(damaged[1], drawer.demos[1]), "the left half is the damaged picture"


# -- refused recipes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, corrupt, message",
    [
        ({"crop": 40}, CORRUPTIONS["noise"], "larger than the 24x24"),
        ({"crop": 15, "adversarial": 0.0}, CORRUPTIONS["downscale"], "not a multiple"),
    ],
    ids=["larger-than-the-pictures", "not-a-multiple-of-the-factor"],
)
def test_a_bad_crop_is_a_one_line_error_and_leaves_no_run(cli, tmp_path, method, corrupt, message):
    path = _file(tmp_path, _raw(corrupt=corrupt, **method))
    output = cli("run", str(path), "-q", code=2).output
    assert message in output and output.strip().count("\n") == 0, output
    assert not cli.runs_dir.exists() or not any(cli.runs_dir.iterdir())


def test_small_crops_train_with_a_shallower_critic(host, tmp_path):
    """A 16-px crop leaves no pixels for pix2pix's three strided layers: the critic takes fewer."""
    assert [critic_layers(c) for c in (16, 24, 32, 48, 64, 256)] == [1, 1, 2, 2, 3, 3]
    path = _file(tmp_path, _raw(crop=16))
    runs = tmp_path / "runs"
    result = CliRunner().invoke(make_cli(host), ["run", str(path), "-q"], env={"GANVAS_RUNS_DIR": str(runs)})
    assert result.exit_code == 0, result.output
    logits = PatchCritic(6, 4, critic_layers(16))(torch.zeros(1, 6, 16, 16))
    assert logits.shape[-1] >= 4
    result = CliRunner().invoke(make_cli(host), ["run", str(_file(tmp_path, _raw(crop=4))), "-q"])
    assert result.exit_code == 2 and "too small for a critic" in result.output and "adversarial = 0" in result.output


# -- it learns -----------------------------------------------------------------------------------------


@pytest.mark.slow  # about 3 s: 120 steps of a 16-wide U-Net on 16-px pictures
def test_it_learns_to_denoise_held_out_pictures(host, tmp_path, one_thread):
    raw = tiny_recipe(
        data={"source": "procedural:mondrian", "size": 16, "count": 40},  # flat colours, straight edges
        train={"steps": 120, "batch": 8, "lr_g": 0.0015, "sample_every": 120, "checkpoint_every": 120, "log_every": 40},
    )
    raw.pop("model"), raw.pop("loss")
    raw["method"] = {"name": "pix2pix", "crop": 16, "width": 16, "depth": 2, "adversarial": 0.0, "holdout": 8}
    raw["corrupt"] = {"name": "noise", "sigma": 50.0}
    trainer = _trainer(host, tmp_path, raw)
    trainer.run()
    clean = trainer.data.batch(trainer.method.held).add(1).div(2)  # the 8 pictures never trained on
    noisy = Noise(sigma=50.0)(clean, torch.Generator().manual_seed(123))
    repaired = load_run(trainer.run_dir, host, torch.device("cpu")).drawer.translate(noisy)
    before, after = _psnr01(noisy, clean), _psnr01(repaired, clean)
    # measured: 15.9 dB noisy, 19.0-20.1 dB repaired over train.seed 0-3 (+3.0 to +4.2 dB; seed 0: +3.9)
    assert after > before + 2.0, f"PSNR {before:.2f} dB noisy, {after:.2f} dB repaired"
    scores = trainer.method.evaluate()
    assert scores["PSNR/model"] > scores["PSNR/input"] + 2.0, scores


def test_a_run_whose_repairs_leave_the_picture_range_is_called_diverged_once(host, tmp_path):
    trainer = _trainer(host, tmp_path, _raw(steps=1))
    method = trainer.method
    assert method.observe({"step": 10, "Loss/G/l1": 0.2}) is None
    warning = method.observe({"step": 600, "Loss/G/l1": 5.3e7})
    assert warning is not None and "diverged at step 600" in warning and "lr_g" in warning
    assert method.observe({"step": 700, "Loss/G/l1": 3.5e6}) is None  # said once
