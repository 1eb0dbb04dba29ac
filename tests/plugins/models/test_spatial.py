import pytest
import torch

from ganvas.errors import UserInputError
from ganvas.plugins.models import spatial

SMALL = dict(z_dim=8, levels=2, width=8, global_channels=4, local_channels=4, periodic=2, d_width=8)


def _generator(**over):
    """An untrained generator with lively weights (DCGAN's N(0, 0.02) paints nearly flat grey)."""
    torch.manual_seed(0)
    G = spatial.build((3, 16, 16), **{**SMALL, **over}).generator.eval()
    for module in G.modules():
        if isinstance(module, torch.nn.Conv2d):
            torch.nn.init.normal_(module.weight, 0.0, module.weight[0].numel() ** -0.5)
    return G


def test_trains_on_crops_and_paints_any_size():
    torch.manual_seed(0)
    nets = spatial.build((3, 16, 24), **SMALL)
    crops = nets.generator(torch.randn(3, 8))
    assert crops.shape == (3, 3, 16, 24) and crops.abs().max() <= 1
    assert nets.discriminator(crops).shape == (3,)
    with torch.no_grad():
        assert nets.generator.eval()(torch.randn(1, 8), size=(37, 50)).shape == (1, 3, 37, 50)


@pytest.mark.parametrize("tile", [False, True])
def test_painting_in_tiles_of_cells_changes_nothing(monkeypatch, tile):
    G = _generator()
    z = torch.randn(1, 8)
    with torch.no_grad():
        whole = G(z, size=(64, 64), tile=tile)
        monkeypatch.setattr(spatial, "TILE_CELLS", 3)
        assert torch.allclose(whole, G(z, size=(64, 64), tile=tile), atol=1e-5)


def test_a_tile_wraps_around_seamlessly():
    G = _generator()
    with torch.no_grad():
        plain = G(torch.randn(1, 8) * 2, size=(32, 32))
        tile = G(torch.randn(1, 8) * 2, size=(32, 32), tile=True)

    def seam(img):  # across the wrap, both ways, against neighbours inside
        across = ((img[..., 0] - img[..., -1]).abs().mean() + (img[..., 0, :] - img[..., -1, :]).abs().mean()) / 2
        inside = ((img[..., 1:] - img[..., :-1]).abs().mean() + (img[..., 1:, :] - img[..., :-1, :]).abs().mean()) / 2
        return across.item(), inside.item()

    across, inside = seam(tile)
    assert across <= inside
    plain_across, plain_inside = seam(plain)
    assert plain_across > across  # an ordinary canvas does not wrap


def test_larger_canvases_keep_varying():
    G = _generator(periodic=0)
    with torch.no_grad():
        image = G(torch.randn(1, 8) * 2, size=(32, 128))
    quarters = image.split(32, dim=-1)
    assert all((quarters[0] - q).abs().mean() > 0.01 for q in quarters[1:])


def test_hash_noise_depends_only_on_the_cell():
    big = spatial.hash_normal(torch.arange(40), torch.arange(40), 3, 5)
    part = spatial.hash_normal(torch.arange(10, 20), torch.arange(5, 30), 3, 5)
    assert torch.equal(big[10:20, 5:30], part)
    assert abs(big.mean()) < 0.05 and abs(big.std() - 1) < 0.05


def test_bad_sizes_are_refused_with_the_cell_size():
    with pytest.raises(UserInputError, match="multiples of 4 px.*try 48x36"):
        _generator()(torch.randn(1, 8), size=(37, 50), tile=True)
    with pytest.raises(UserInputError, match="multiple of 4"):
        spatial.build((3, 18, 18), **SMALL)
