"""ganvas.drawing.tiles: tiles that cover a picture with overlap, and tiled runs equal to whole ones."""

import pytest
import torch
from torch import nn

from ganvas.drawing.tiles import tile_starts, tiled


@pytest.mark.parametrize("length", [1, 7, 8, 9, 16, 23, 24, 25, 40, 61, 100, 513])
@pytest.mark.parametrize("tile, overlap", [(8, 2), (8, 4), (16, 4), (16, 8), (24, 11), (512, 48)])
def test_tiles_cover_the_length_with_at_least_the_overlap(length, tile, overlap):
    starts = tile_starts(length, tile, overlap)
    if length <= tile:
        assert starts == [0]
        return
    assert starts[0] == 0 and starts[-1] + tile == length, "from the first pixel to the last"
    assert starts == sorted(set(starts)), "each tile once, in order"
    for a, b in zip(starts, starts[1:]):
        assert a + tile - b >= overlap, f"tiles at {a} and {b} overlap by {a + tile - b} < {overlap}"
    for a, b in zip(starts, starts[1:-1]):
        assert b - a == tile - overlap, "evenly spaced but for the last"


def _pointwise(x):
    return torch.sigmoid(3 * x[:, :2] - x[:, 2:]) * x.sum(1, keepdim=True)


def test_a_picture_no_larger_than_a_tile_goes_through_whole():
    calls = []

    def fn(x):
        calls.append(tuple(x.shape))
        return _pointwise(x)

    x = torch.rand(2, 3, 16, 12)
    assert torch.equal(tiled(fn, x, tile=16, overlap=4), _pointwise(x))
    assert calls == [(2, 3, 16, 12)]


def test_a_pointwise_function_gives_the_whole_call():
    x = torch.rand(2, 3, 45, 67, generator=torch.Generator().manual_seed(0))
    calls = []

    def fn(part):
        calls.append(tuple(part.shape[-2:]))
        return _pointwise(part)

    out = tiled(fn, x, tile=16, overlap=6)
    assert len(calls) > 10 and all(shape == (16, 16) for shape in calls), "it was really tiled"
    whole = _pointwise(x)
    assert out.shape == whole.shape == (2, 2, 45, 67)
    assert torch.allclose(out, whole, rtol=0, atol=1e-6)  # a weighted mean of equal values: rounding only


@pytest.mark.parametrize("h, w", [(17, 9), (33, 40), (47, 61), (64, 65)])
@pytest.mark.parametrize("tile, overlap", [(8, 1), (8, 4), (16, 5), (16, 30), (24, 12)])
def test_every_pixel_gets_a_weight_whatever_the_sizes(h, w, tile, overlap):
    x = torch.rand(1, 2, h, w, generator=torch.Generator().manual_seed(h * w))
    out = tiled(lambda t: t * 2, x, tile=tile, overlap=overlap)
    assert torch.isfinite(out).all(), "a pixel no tile weighs: 0 / 0"
    assert torch.allclose(out, x * 2, rtol=0, atol=1e-6)


def _small_conv_net():
    """Three 3x3 convolutions, zero-padded: an output pixel sees 3 px around it."""
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),
        nn.Tanh(),
        nn.Conv2d(8, 8, 3, padding=1),
        nn.Tanh(),
        nn.Conv2d(8, 2, 3, padding=1),
    )
    return net.eval().requires_grad_(False)


# tiled() blends tiles with weights that are zero within overlap // 4 px of a tile's inner edge
# (the overlap at most half a tile): exact for a network that sees no further than that
@pytest.mark.parametrize("tile, overlap", [(24, 12), (24, 16), (28, 14), (32, 16)])
def test_a_conv_net_tiled_equals_the_whole_picture(tile, overlap):
    net = _small_conv_net()
    x = torch.rand(2, 3, 53, 71, generator=torch.Generator().manual_seed(1))  # odd-sized, several tiles each way
    assert len(tile_starts(53, tile, overlap)) >= 3 and len(tile_starts(71, tile, overlap)) >= 3
    whole = net(x)
    out = tiled(net, x, tile=tile, overlap=overlap)
    assert out.shape == whole.shape
    error = (out - whole).abs().amax(dim=(0, 1))  # per pixel
    assert float(error.max()) < 1e-5, (
        f"largest difference {float(error.max()):.2e} at {divmod(int(error.argmax()), 71)}"
    )


def test_there_is_no_seam_at_the_tile_borders():
    net = _small_conv_net()
    x = torch.rand(1, 3, 50, 50, generator=torch.Generator().manual_seed(2))
    tile, overlap = 24, 12
    whole, out = net(x), tiled(net, x, tile=tile, overlap=overlap)
    starts = tile_starts(50, tile, overlap)
    # every row and column where a tile begins or ends inside the picture, and 3 px either side
    borders = sorted(
        {s + d for s in starts for d in range(-3, 4)} | {s + tile + d for s in starts for d in range(-3, 4)}
    )
    borders = [b for b in borders if 0 <= b < 50]
    assert len(borders) > 15
    for b in borders:
        assert torch.allclose(out[..., b, :], whole[..., b, :], atol=1e-5), f"a seam along row {b}"
        assert torch.allclose(out[..., :, b], whole[..., :, b], atol=1e-5), f"a seam along column {b}"
    # the tiles themselves do differ from the whole picture near their inner edges: blending hides it
    inner = net(x[..., :tile, :tile])
    assert (inner[..., tile - 1, :] - whole[..., tile - 1, :tile]).abs().max() > 1e-3


def test_out_channels_and_a_non_square_tile_row():
    x = torch.rand(1, 3, 10, 50)
    out = tiled(lambda t: t[:, :1] * 2, x, tile=16, overlap=4, out_channels=1)
    assert out.shape == (1, 1, 10, 50)
    assert torch.allclose(out, x[:, :1] * 2, atol=1e-6)


def test_an_ensemble_turns_every_transform_back_and_averages():
    from ganvas.drawing.tiles import ensembled

    x = torch.rand(2, 3, 5, 7, generator=torch.Generator().manual_seed(0))
    for count in (1, 4, 8):
        assert torch.allclose(ensembled(lambda t: t * 2, x, count), x * 2)  # pointwise: unchanged
    shift = lambda t: torch.roll(t, 1, dims=-1)  # noqa: E731  a direction-dependent "network"
    assert torch.equal(ensembled(shift, x, 1), shift(x))
    averaged = ensembled(shift, x, 4)
    assert averaged.shape == x.shape and torch.allclose(averaged, (shift(x) + torch.roll(x, -1, dims=-1)) / 2)
    assert ensembled(shift, x, 8).shape == x.shape
    with pytest.raises(ValueError, match="one of"):
        ensembled(shift, x, 3)
