"""``texture``: strength blends from the input to the reference's texture, at the picture's own size, with
clean borders. Tiny pictures and few steps: the whole file runs in a few seconds on one thread."""

from __future__ import annotations

import pytest
import torch
from stylizer_helpers import one_thread, picture  # noqa: F401 (one_thread: autouse fixture)

from ganvas.bench.texture_curve import content_similarity, format_curve, texture_curve, texture_loss
from ganvas.errors import ParamError
from ganvas.plugin.testing import make_host
from ganvas.plugins.stylizers.ops import gaussian_blur, resize
from ganvas.plugins.stylizers.texture import _pyramid, texture


def colourful(n: int = 48, seed: int = 3) -> torch.Tensor:
    """Blocks of saturated colours, 8 px across: a flower-bed of a reference."""
    g = torch.Generator().manual_seed(seed)
    colours = torch.tensor([[1.0, 0.1, 0.3], [0.1, 0.8, 0.2], [0.2, 0.3, 1.0], [1.0, 0.9, 0.1], [0.9, 0.2, 0.9]])
    blocks = colours[torch.randint(0, 5, (n // 8, n // 8), generator=g)].permute(2, 0, 1)[None]
    return torch.nn.functional.interpolate(blocks, size=(n, n), mode="nearest")


def bricks(n: int = 48) -> torch.Tensor:
    """Light joints every 5 rows and 7 columns on a blue-grey ground."""
    image = torch.tensor([0.2, 0.3, 0.6]).view(1, 3, 1, 1).repeat(1, 1, n, n)
    image[..., ::5, :] = 0.95
    image[..., :, ::7] = 0.9
    return image


def test_strength_zero_returns_the_input_and_a_little_strength_changes_it_a_little():
    images = picture(b=1, h=40, w=40)
    assert torch.equal(texture(images, bricks(), strength=0.0, steps=5), images)
    assert torch.equal(texture(images, bricks(), steps=0), images)
    slight = texture(images, bricks(), strength=0.02, steps=5, progress=False)
    assert 0 < (slight - images).abs().mean() < 0.03


def test_strength_trades_the_content_for_the_texture_monotonically():
    images, reference = picture(b=1, h=48, w=48), bricks()
    outs = [texture(images, reference, strength=s, steps=10, progress=False) for s in (0.25, 0.5, 1.0)]
    similarity = [float(content_similarity(out, images)) for out in outs]
    loss = [float(texture_loss(out, reference)) for out in outs]
    assert similarity[0] > similarity[1] > similarity[2]
    assert loss[0] > loss[1] > loss[2]
    assert float(texture_loss(images, reference)) > loss[0]


@pytest.mark.parametrize("strength", [0.25, 0.5, 1.0])
def test_no_colour_fringes_along_the_borders(strength):
    """The old code clamped the canvas inside the loss: pixels pushed out of range lost their gradient and
    stuck at pure red, green or blue, most along the borders (band saturation about 0.24 above the interior's)."""
    images = picture(b=1, h=48, w=48)
    out = texture(images, colourful(), strength=strength, steps=10, progress=False)
    saturation = out.amax(1) - out.amin(1)
    clipped = ((out <= 0.005) | (out >= 0.995)).any(1).float()
    band = torch.ones(48, 48, dtype=torch.bool)
    band[2:-2, 2:-2] = False
    assert saturation[:, band].mean() - saturation[:, ~band].mean() < 0.05
    assert clipped[:, band].mean() - clipped[:, ~band].mean() < 0.05


def test_working_size_follows_the_picture_coarse_to_fine():
    assert _pyramid(96, 96, 0) == [(96, 96)]
    assert _pyramid(512, 512, 0) == [(128, 128), (256, 256), (512, 512)]
    assert _pyramid(300, 451, 0) == [(75, 113), (150, 226), (300, 451)]
    assert _pyramid(2048, 1024, 0)[-1] == (1024, 512)  # auto stops at 1024 px
    assert _pyramid(2048, 1024, 2048)[-1] == (2048, 1024)
    assert _pyramid(300, 200, 64) == [(64, 43)]


def test_auto_size_keeps_the_detail_of_a_96_px_picture():
    g = torch.Generator().manual_seed(0)
    images = (picture(b=1, h=96, w=96) + 0.2 * torch.rand(1, 3, 96, 96, generator=g)).clamp(0, 1)

    def detail(x: torch.Tensor) -> float:
        return float((x - gaussian_blur(x, 1.0)).abs().mean())

    auto = texture(images, bricks(96), strength=0.5, steps=6, progress=False)
    enlarged = resize(resize(auto, (64, 64), "area"), (96, 96), "bicubic")  # what a 64-px working size gives
    assert detail(auto) > 1.5 * detail(enlarged)


def test_batches_gray_seeds_and_batch_independence():
    images = picture(b=2, h=20, w=24)
    out = texture(images, colourful(24), steps=3, progress=False)
    assert out.shape == images.shape and torch.isfinite(out).all()
    assert torch.equal(out[1:], texture(images[1:], colourful(24), steps=3, progress=False))
    assert torch.equal(out, texture(images, colourful(24), steps=3, progress=False))
    assert not torch.equal(out, texture(images, colourful(24), steps=3, seed=1, progress=False))
    gray = texture(picture(b=2, c=1, h=20, w=24), colourful(24), steps=3, progress=False)
    assert gray.shape == (2, 1, 20, 24) and torch.isfinite(gray).all()


def test_progress_bar_counts_the_steps_of_every_level(capsys):
    texture(picture(b=1, h=120, w=200), bricks(20), steps=4, progress=True)  # 100 px, 4 steps; 200 px, 2
    assert "texture" in (err := capsys.readouterr().err) and "/6 " in err
    texture(picture(b=1, h=20, w=20), bricks(20), steps=4, progress=False)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"strength": 1.5}, "texture: strength: "),
        ({"strength": -0.1}, "texture: strength: "),
        ({"size": 8}, "texture: size: expected 0 (auto) or at least 16"),
    ],
)
def test_bad_settings_are_one_line_errors(settings, message):
    with pytest.raises(ParamError) as info:
        texture(picture(b=1), bricks(), **settings)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_content_is_gone_and_strength_is_checked_when_building(tmp_path):
    from stylizer_helpers import write_reference

    host, reference = make_host(), write_reference(tmp_path)
    for settings, message in (({"content": 1.0}, "content: unknown parameter"), ({"strength": 2.0}, "strength")):
        with pytest.raises(ParamError, match=message) as info:
            host.get("stylizers", "texture").build(reference=reference, **settings)
        assert "\n" not in str(info.value)


def test_texture_curve_reports_each_strength():
    rows = texture_curve(make_host(), strengths=(0.0, 1.0), size=32, steps=3)
    assert [r["strength"] for r in rows] == [0.0, 1.0]
    assert set(rows[0]) == {"strength", "content_similarity", "texture_loss", "seconds"}
    assert rows[0]["content_similarity"] == pytest.approx(1.0)
    assert rows[1]["content_similarity"] < 1.0 and rows[1]["texture_loss"] < rows[0]["texture_loss"]
    assert format_curve(rows).count("\n") == 2
