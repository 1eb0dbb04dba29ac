"""ganvas.plugins.corruptions.ops: noise (and JPEG), lower resolution, lost colour, sketches; the registry."""

import pytest
import torch

from ganvas.plugins.corruptions.ops import Downscale, Edges, Grayscale, Noise, gaussian_blur, luma
from ganvas.training.corruption import corrupt


def _seed(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _grey(b: int = 4, size: int = 32) -> torch.Tensor:
    return torch.full((b, 3, size, size), 0.5)


def _photo(b: int = 2, size: int = 32, seed: int = 1) -> torch.Tensor:
    """Smooth random colour pictures (blurred noise), in [0, 1]."""
    return gaussian_blur(torch.rand(b, 3, size, size, generator=_seed(seed)), 2.0)


def _checkerboard(size: int = 32) -> torch.Tensor:
    board = (torch.arange(size)[:, None] + torch.arange(size)[None]) % 2
    return board.float().expand(1, 3, size, size).contiguous()


# -- noise ------------------------------------------------------------------------------------


@pytest.mark.parametrize("sigma", [5.0, 25.0, 50.0])
def test_noise_has_the_requested_sigma(sigma):
    # mid-grey pictures: at 50 grey levels clamping to [0, 1] touches 1 pixel in 10^6
    images = _grey()
    noisy = Noise(sigma=sigma)(images, _seed())
    measured = float((noisy - images).std()) * 255
    assert measured == pytest.approx(sigma, rel=0.03)
    assert abs(float((noisy - images).mean())) * 255 < 0.05 * sigma  # zero-mean


def test_zero_sigma_leaves_the_picture_alone():
    images = _photo()
    assert torch.equal(Noise(sigma=0.0)(images, _seed()), images)


def test_sigma_min_draws_a_level_per_picture_within_the_range():
    images = _grey(b=64, size=24)
    noisy = Noise(sigma=40.0, sigma_min=10.0)(images, _seed())
    levels = (noisy - images).flatten(1).std(1) * 255  # one measured sigma per picture
    assert levels.min() > 10.0 * 0.93 and levels.max() < 40.0 * 1.05
    assert levels.min() < 16 and levels.max() > 34, "levels should spread over the range"
    assert (levels < 25).sum() > 10 and (levels > 25).sum() > 10


def test_without_sigma_min_every_picture_gets_sigma():
    levels = (Noise(sigma=30.0)(_grey(b=16, size=24), _seed()) - 0.5).flatten(1).std(1) * 255
    assert ((levels - 30).abs() < 2).all()


def test_jpeg_changes_pixels_and_keeps_shape_and_range():
    images = _photo()
    out = Noise(sigma=0.0, jpeg=10)(images, _seed())
    assert out.shape == images.shape and out.dtype == images.dtype
    assert out.min() >= 0 and out.max() <= 1
    error = (out - images).abs().mean()
    assert error > 2 / 255, "JPEG at quality 10 should change the pixels"
    assert error < 30 / 255, "but still give the same picture"
    better = (Noise(sigma=0.0, jpeg=95)(images, _seed()) - images).abs().mean()
    assert better < error


def test_jpeg_of_a_one_channel_picture():
    images = _photo()[:, :1]
    out = Noise(sigma=5.0, jpeg=50)(images, _seed())
    assert out.shape == images.shape


@pytest.mark.parametrize(
    "corruption",
    [Noise(sigma=30.0), Noise(sigma=30.0, sigma_min=0.0), Noise(sigma=20.0, jpeg=40), Downscale(factor=2, noise=10.0)],
    ids=repr,
)
def test_the_same_seed_gives_the_same_damage(corruption):
    images = _photo()
    first = corruption(images, _seed(7))
    assert torch.equal(first, corruption(images, _seed(7)))
    assert not torch.equal(first, corruption(images, _seed(8)))


def test_noise_leaves_its_input_unchanged():
    images = _photo()
    before = images.clone()
    Noise(sigma=50.0, jpeg=30)(images, _seed())
    assert torch.equal(images, before)


# -- downscale --------------------------------------------------------------------------------


@pytest.mark.parametrize("factor", [2, 4])
def test_downscale_loses_the_fine_detail_and_keeps_the_size(factor):
    board = _checkerboard()
    out = Downscale(factor=factor)(board, _seed())
    assert out.shape == board.shape
    assert board.std() > 0.49 and out.std() < 0.02, "a one-pixel checkerboard should become flat grey"
    assert float(out.mean()) == pytest.approx(0.5, abs=0.02)


def test_downscale_keeps_what_is_coarser_than_the_factor():
    images = _photo()
    out = Downscale(factor=2)(images, _seed())
    assert (out - images).abs().mean() < 0.03 and not torch.equal(out, images)


@pytest.mark.parametrize("factor", [2, 3, 4, 8])
def test_downscale_scale_is_its_factor(factor):
    corruption = Downscale(factor=factor)
    assert corruption.scale == factor
    assert corruption.shrink(torch.rand(1, 3, 48, 24)).shape == (1, 3, 48 // factor, 24 // factor)


def test_downscale_blur_and_noise_make_it_worse():
    images = _photo(size=48)

    def error(**options):
        return float((Downscale(factor=2, **options)(images, _seed()) - images).abs().mean())

    assert error(blur=2.0) > 1.5 * error()
    assert error(noise=20.0) > 1.5 * error()


def test_prepare_enlarges_a_users_picture_by_the_factor():
    small = torch.rand(1, 3, 7, 9)
    assert Downscale(factor=3).prepare(small).shape == (1, 3, 21, 27)


# -- grayscale --------------------------------------------------------------------------------


def test_grayscale_puts_the_luma_in_every_channel():
    images = torch.rand(3, 3, 8, 10, generator=_seed())
    out = Grayscale()(images, _seed())
    assert out.shape == images.shape
    expected = 0.299 * images[:, 0] + 0.587 * images[:, 1] + 0.114 * images[:, 2]
    for c in range(3):
        assert torch.allclose(out[:, c], expected, atol=1e-6)
    assert torch.equal(luma(images)[:, 0], out[:, 0])


def test_luma_of_pure_colours_and_of_one_channel():
    pure = torch.eye(3).view(3, 3, 1, 1)  # red, green, blue pictures of one pixel
    assert torch.allclose(luma(pure).flatten(), torch.tensor([0.299, 0.587, 0.114]))
    grey = torch.rand(2, 1, 4, 4)
    assert luma(grey) is grey


def test_grayscale_prepare_makes_a_colour_picture_grey():
    images = torch.rand(1, 3, 5, 6, generator=_seed())
    prepared = Grayscale().prepare(images)
    assert torch.equal(prepared[:, 0], prepared[:, 1]) and torch.equal(prepared[:, 1], prepared[:, 2])
    assert torch.allclose(prepared[:, :1], luma(images))


# -- edges ------------------------------------------------------------------------------------


def test_edges_are_white_on_flat_areas_and_dark_on_a_step():
    step = torch.zeros(1, 3, 32, 32)
    step[..., 16:] = 1.0  # a vertical edge between columns 15 and 16
    out = Edges()(step, _seed())
    assert out.shape == step.shape and torch.equal(out[:, 0], out[:, 2])
    row = out[0, 0, 10]
    assert (row[:8] > 0.999).all() and (row[-8:] > 0.999).all(), "flat areas are white paper"
    assert row[15] < 0.05 and row[16] < 0.05, "the step draws a dark line"
    flat = Edges()(torch.full((1, 3, 16, 16), 0.3), _seed())
    assert (flat > 0.999).all()


def test_a_lower_threshold_draws_fainter_edges_darker():
    ramp = torch.linspace(0, 1, 32).view(1, 1, 1, 32).expand(1, 3, 32, 32)  # a gentle slope everywhere
    soft = Edges(threshold=0.5)(ramp, _seed())[0, 0, 16, 16]
    hard = Edges(threshold=0.02)(ramp, _seed())[0, 0, 16, 16]
    assert hard < soft < 1


def test_edges_prepare_uses_a_sketch_as_it_is_or_finds_the_edges_of_a_picture():
    step = torch.zeros(1, 3, 16, 16)
    step[..., 8:] = 1.0
    as_sketch = Edges(input="sketch").prepare(step)
    assert torch.allclose(as_sketch, step)  # a black-and-white drawing, used as it is
    as_picture = Edges(input="picture").prepare(step)
    assert torch.equal(as_picture, Edges()(step, _seed()))


# -- all of them --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "corruption",
    [Noise(sigma=50.0, jpeg=20), Downscale(factor=4, blur=1.0, noise=8.0), Grayscale(), Edges()],
    ids=repr,
)
def test_each_keeps_the_corrupt_contract_on_odd_sizes(corruption):
    images = torch.rand(2, 3, 13, 19, generator=_seed())
    out = corrupt(corruption, images, _seed())
    assert out.shape == images.shape and torch.isfinite(out).all()


def test_the_corruptions_are_registered_and_listed(host, cli):
    names = {"noise", "downscale", "mask", "grayscale", "edges"}
    assert names <= set(host.registry.names("corruptions"))
    assert host.get("corruptions", "superres").name == "downscale"
    assert host.get("corruptions", "inpaint").name == "mask"
    output = cli("list", "corruptions").output
    for name in names:
        assert name in output
