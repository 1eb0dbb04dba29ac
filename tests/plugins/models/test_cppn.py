import pytest
import torch
import torch.nn.functional as F

from ganvas.errors import UserInputError
from ganvas.plugins.models import blocks, cppn

SMALL = dict(
    z_dim=8,
    grid=8,
    width=8,
    features=8,
    hidden=8,
    depth=2,
    frequencies=4,
    fourier_scale=3.0,
    palette=4,
    colour_grid=4,
    d_width=8,
)


def _nets(shape=(3, 16, 16), **over):
    torch.manual_seed(0)
    return cppn.build(shape, **{**SMALL, "crisp": 1.0, **over})


@pytest.mark.parametrize("shape", [(3, 16, 16), (1, 24, 16), (3, 8, 8)])
def test_trains_at_the_data_shape(shape):
    nets = _nets(shape)
    images = nets.generator(torch.randn(3, 8))
    assert images.shape == (3, *shape) and images.abs().max() <= 1
    assert nets.discriminator(images).shape == (3,)


@pytest.mark.parametrize("grid", [1, 4, 16])
def test_renders_any_size_and_aspect(grid):
    G = _nets(grid=grid).generator.eval()
    with torch.no_grad():
        assert G(torch.randn(2, 8), size=(40, 72)).shape == (2, 3, 40, 72)


def test_the_training_size_renders_as_trained():
    G = _nets().generator.eval()
    z = torch.randn(2, 8)
    with torch.no_grad():
        assert torch.allclose(G(z), G(z, size=(16, 16)), atol=1e-6)


def test_chunked_rows_give_the_same_picture(monkeypatch):
    G = _nets().generator.eval()
    z = torch.randn(1, 8)
    with torch.no_grad():
        whole = G(z, size=(48, 48))
        monkeypatch.setattr(cppn, "rows_per_chunk", lambda width, floats: 5)
        assert torch.allclose(whole, G(z, size=(48, 48)), atol=1e-6)


def test_separable_bicubic_matches_grid_sample_with_reflection():
    fmap = torch.randn(2, 3, 8, 8)
    xs, ys = torch.linspace(-1.4, 1.4, 19), torch.linspace(-1.1, 1.1, 11)
    grid = torch.stack(torch.meshgrid(xs, ys, indexing="xy"), dim=-1).expand(2, -1, -1, -1)
    expected = F.grid_sample(fmap, grid, mode="bicubic", padding_mode="reflection", align_corners=False)
    mine = torch.einsum("bcij,ri,wj->bcrw", fmap, cppn.bicubic_weights(ys, 8), cppn.bicubic_weights(xs, 8))
    assert torch.allclose(expected, mine, atol=1e-5)


def _two_regions(crisp):
    """A generator whose palette splits the canvas at x = 0 into two flat colours, the logits
    rising gently across it (as a trained one's do at the training size)."""
    G = _nets(crisp=crisp, depth=1).generator.eval()
    with torch.no_grad():
        for p in G.parameters():
            p.zero_()
        x_input = 2 * SMALL["frequencies"]  # the position features end with x, y, radius
        G.position_in.weight[0, x_input], G.position_in.weight[1, x_input] = 1.0, -1.0
        G.head.weight[0, :2] = torch.tensor([14.0, -14.0])  # about a one-pixel edge at 16 px
        G.head.weight[1, :2] = torch.tensor([-14.0, 14.0])
        G.head.bias[2:] = -100.0
        G.colours.bias.copy_(torch.tensor([0.8] * 3 + [-0.8] * 3 + [0.0] * 6))
    return G


def _edge_width(image, low=0.1, high=0.9):
    """Pixels the middle row takes to rise from 10 % to 90 % of its range (10-90 % rise)."""
    row = image[0, 0, image.shape[2] // 2]
    level = (row - row.min()) / (row.max() - row.min())
    return int(((level > low) & (level < high)).sum())


def test_crisp_keeps_edges_one_pixel_wide_when_rendered_larger():
    z = torch.zeros(1, 8)
    with torch.no_grad():
        soft = _two_regions(0.0)(z, size=(256, 256))
        sharp = _two_regions(1.0)(z, size=(256, 256))
        trained = _two_regions(1.0)(z)
    assert _edge_width(trained) <= 2  # about a pixel wide at the training size
    assert _edge_width(soft) >= 8  # rendered as trained, the edge grows with the canvas
    assert _edge_width(sharp) <= 2  # crisp: still about one output pixel


def test_rows_per_chunk_respects_the_budget():
    assert blocks.rows_per_chunk(1000, 100, budget_bytes=4 * 100 * 1000 * 7) == 7
    assert blocks.rows_per_chunk(10**9, 100) == 1


def test_points_are_refused():
    with pytest.raises(UserInputError, match="needs images"):
        cppn.build((2,), **SMALL, crisp=1.0)


def test_width_sets_the_feature_maps_convolutions_whatever_the_image_width():
    convs = [m for m in _nets((3, 32, 32), width=8, grid=16).generator.grid if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs[:-1]] == [16, 8]  # 8x8, then 16x16 at `width`


def test_conditional_cppn_draws_each_class_at_any_size_and_projects_labels():
    nets = _nets(classes=3)
    G, D = nets.generator.eval(), nets.discriminator.eval()
    noise = torch.randn(2, 8)
    one, two = (F.one_hot(torch.tensor([k, k]), 3).float() for k in (0, 2))
    with torch.no_grad():
        a, b, mix = G(torch.cat([noise, one], 1)), G(torch.cat([noise, two], 1)), G(noise)
        assert a.shape == mix.shape == (2, 3, 16, 16)
        assert not torch.allclose(a, b) and not torch.allclose(mix, a)  # the class changes the picture
        assert G(torch.cat([noise, two], 1), size=(24, 40)).shape == (2, 3, 24, 40)
        x = torch.randn(2, 3, 16, 16)
        assert not torch.allclose(D(x), D(x, labels=one)) and not torch.allclose(D(x, labels=one), D(x, labels=two))


def test_sefa_reads_every_map_of_the_noise_and_leaves_the_classes_out():
    from ganvas.training.directions import first_layer_weight

    G = _nets(classes=3).generator
    A = first_layer_weight(G, 8)
    assert A.shape == (G.grid[0].out_features + G.style.out_features, 8)
    assert torch.equal(A[: G.grid[0].out_features], G.grid[0].weight[:, :8])
    assert torch.equal(A[G.grid[0].out_features :], G.style.weight[:, :8])
