"""The ``cycle`` method: its contract, a run through the CLI, exact resume (image pool included),
tiled translation both ways, bad targets and the image pool."""

import json

import pytest
import tomli_w
import torch
from PIL import Image

from ganvas import hookimpl
from ganvas.plugin.testing import check_method, make_host, tiny_recipe
from ganvas.plugins.methods.cycle import CycleMethod, ImagePool
from ganvas.plugins.methods.cycle_drawer import CycleDrawer
from ganvas.plugins.methods.translate_nets import UNet

PARAMS = dict(
    target="procedural:mondrian",
    target_count=0,
    crop=0,
    width=4,
    depth=2,
    d_width=4,
    d_layers=0,  # as the 16-px pictures allow: 1
    cycle=10.0,
    identity=5.0,
    gan_loss="lsgan",
    pool=4,
    holdout=2,
)


def _raw(steps=6, **method):
    raw = tiny_recipe(train={"steps": steps, "checkpoint_every": 3, "sample_every": 3, "eval_every": 3})
    raw["method"] = {"name": "cycle", **{**PARAMS, **method}}
    raw.pop("model"), raw.pop("loss")  # it reads neither
    return raw


def _recipe(tmp_path, steps=6, **method):
    path = tmp_path / "cycle.toml"
    path.write_text(tomli_w.dumps(_raw(steps, **method)))
    return path


@pytest.mark.parametrize("params", [PARAMS, {**PARAMS, "holdout": 0, "pool": 0, "identity": 0.0, "gan_loss": "hinge"}])
def test_the_method_keeps_the_contract(params):
    check_method(CycleMethod, params)


def test_a_run_trains_through_the_cli_and_samples(cli, tmp_path):
    cli("train", str(_recipe(tmp_path, steps=3, name="restyle")), "-q")  # an alias
    run = next(cli.runs_dir.iterdir())
    recipe = (run / "recipe.toml").read_text()
    assert 'name = "cycle"' in recipe and "[model]" not in recipe and "[loss]" not in recipe
    lines = [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines()]
    keys = set().union(*lines)
    wanted = {"Loss/G", "Loss/G/adv", "Loss/G/cycle", "Loss/G/identity", "Loss/D/a", "Loss/D/b", "D/real", "D/fake"}
    assert wanted | {"SWD/translated", "SWD/input"} <= keys
    assert Image.open(run / "samples" / "step-0000003.png").size[0] > 3 * 16  # A | A->B | A->B->A
    out = tmp_path / "pair.png"
    cli("sample", str(run), "--seeds", "0", "-o", str(out))
    assert Image.open(out).size == (32, 16)  # a held-out picture | its translation


class StopAtThree:
    @hookimpl
    def on_step_end(self, trainer, step):
        if step == 3:
            trainer.request_stop()


def test_training_resumes_exactly_with_the_image_pool(tmp_path):
    from ganvas.recipe import parse_recipe
    from ganvas.training import Trainer, TrainingInterrupted

    host = make_host(StopAtThree())
    recipe = parse_recipe(_raw(), host.registry)
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    straight = Trainer(recipe, tmp_path / "a", make_host(), quiet=True)
    straight.run()
    with pytest.raises(TrainingInterrupted):
        Trainer(recipe, tmp_path / "b", host, quiet=True).run()
    resumed = Trainer.resume(tmp_path / "b", make_host(), recipe, quiet=True)
    assert resumed.step == 3
    resumed.run()
    a, b = straight.method, resumed.method
    assert len(a.pool_a) == len(a.pool_b) == PARAMS["pool"]  # full: later fakes went in at random
    for x, y in zip(a.state_dict().items(), b.state_dict().items()):
        assert x[0] == y[0]
        if x[0] in ("G_ab", "G_ba", "D_a", "D_b"):
            assert all(torch.equal(x[1][k], y[1][k]) for k in x[1])
        if x[0] in ("pool_a", "pool_b"):
            assert torch.equal(x[1]["images"], y[1]["images"]) and torch.equal(x[1]["rng"], y[1]["rng"])


def test_evaluation_and_grids_leave_the_training_randomness_alone(tmp_path):
    from ganvas.recipe import parse_recipe
    from ganvas.training import Trainer

    host = make_host()
    method = Trainer(parse_recipe(_raw(), host.registry), tmp_path, host, quiet=True).method
    method.train_step(0)
    before = (torch.get_rng_state(), method.crops.get_state(), method.pool_a.generator.get_state())
    scores = method.evaluate()
    grid = method.grid([0, 1, 2])
    after = (torch.get_rng_state(), method.crops.get_state(), method.pool_a.generator.get_state())
    assert all(torch.equal(x, y) for x, y in zip(before, after))
    assert set(scores) == {"SWD/translated", "SWD/input"} and all(v >= 0 for v in scores.values())
    assert grid.shape == (3, 3, 16, 48) and grid.abs().max() <= 1


def _drawer(tile=512, overlap=48):
    torch.manual_seed(0)
    nets = [UNet(3, 3, 4, 2) for _ in range(2)]
    for net in nets:  # a residual U-Net starts as the identity: give it something to do
        torch.nn.init.normal_(net.head.weight, std=0.3)
    demos = torch.rand(3, 3, 16, 16) * 2 - 1
    return CycleDrawer(nets[0], nets[1], demos, -demos, torch.device("cpu"), "test", tile=tile, overlap=overlap)


def test_translate_keeps_an_odd_size_and_tiles_like_the_whole_picture():
    pictures = torch.rand(2, 3, 37, 45, generator=torch.Generator().manual_seed(1))
    whole = _drawer().translate(pictures)
    tiled = _drawer(tile=16, overlap=8).translate(pictures)  # 12 overlapping tiles
    assert whole.shape == tiled.shape == pictures.shape and 0 <= float(whole.min()) <= float(whole.max()) <= 1
    changed = (whole - pictures).abs().mean()
    assert (tiled - whole).abs().max() < 0.05 and (tiled - whole).abs().mean() < changed / 20
    grey = _drawer().translate(pictures[:, :1])  # into a colour model with its luma repeated, back as grey
    assert grey.shape == (2, 1, 37, 45)


def test_reversed_translates_the_other_way():
    drawer = _drawer()
    pictures = torch.rand(1, 3, 20, 24, generator=torch.Generator().manual_seed(2))
    back = drawer.reversed()
    assert back.generator is drawer.backward and back.reversed().generator is drawer.generator
    assert not torch.allclose(back.translate(pictures), drawer.translate(pictures), atol=1e-3)
    seeds = back.latents([0, 1])
    assert torch.equal(back.draw(seeds)[..., :16], -drawer.draw(seeds)[..., :16])  # B's pictures, not A's
    assert drawer.draw(seeds).shape == (2, 3, 16, 32)


@pytest.mark.parametrize(
    "method, says",
    [
        ({"target": "nosuch:thing"}, "method.target 'nosuch:thing': unknown dataset 'nosuch'; valid: folder,"),
        ({"target": "image:landscape"}, "method.target 'image:landscape' gives 3x11x16 pictures, [data] gives 3x16x16"),
        ({"d_layers": 3}, "crop = 16 px is too small for a critic of 3 strided layers; give d_layers = 2"),
    ],
)
def test_a_bad_target_or_critic_is_a_one_line_error(cli, tmp_path, method, says):
    output = cli("train", str(_recipe(tmp_path, **method)), "-q", code=2).output
    errors = [line for line in output.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("error: ") and says in errors[0], output
    assert not cli.runs_dir.exists() or not any(cli.runs_dir.iterdir())


def test_the_image_pool_returns_stored_fakes_and_keeps_at_most_pool():
    pool = ImagePool(4, seed=0)
    first = torch.arange(4.0).view(4, 1, 1, 1).expand(4, 3, 2, 2)
    assert torch.equal(pool.query(first), first) and len(pool) == 4  # filling: the new ones as they are
    copy = ImagePool(4, seed=9)
    copy.load_state_dict(pool.state_dict(), torch.device("cpu"))
    new = torch.arange(10.0, 18.0).view(8, 1, 1, 1).expand(8, 3, 2, 2)
    out = pool.query(new)
    values = out[:, 0, 0, 0].tolist()
    assert out.shape == new.shape and len(pool) == 4
    assert any(v < 4 for v in values) and any(v >= 10 for v in values)  # some stored, some new
    assert sorted(v for v in values if v < 4) == sorted(set(range(4)) - {int(i[0, 0, 0]) for i in pool.images})
    assert torch.equal(copy.query(new), out)  # its state is all a resume needs
    assert torch.equal(ImagePool(0, seed=0).query(new), new)
