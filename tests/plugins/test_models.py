import pytest
import torch

from ganvas.errors import UserInputError
from ganvas.plugins.models import dcgan, mlp


@pytest.mark.parametrize("size", [16, 32, 64, 128, 256])
@pytest.mark.parametrize("channels", [1, 3])
def test_dcgan_shapes_for_every_size(size, channels):
    nets = dcgan.build((channels, size, size), z_dim=8, width=4, max_width=16)
    z = torch.randn(2, 8)
    images = nets.generator(z)
    assert images.shape == (2, channels, size, size)
    assert images.abs().max() <= 1.0  # tanh output
    assert nets.discriminator(images).shape == (2,)


def test_dcgan_widths_follow_the_paper():
    # DCGAN-64 with width 64: 512, 256, 128, 64 channels at 4, 8, 16, 32 px
    assert dcgan._widths(64, 64, 512) == [512, 256, 128, 64]
    assert dcgan._widths(64, 64, 256) == [256, 256, 128, 64]


@pytest.mark.parametrize(
    "shape, message",
    [
        ((3, 48, 48), "16, 32, 64, 128 or 256"),
        ((3, 32, 64), "32x64"),
        ((2,), "use 'mlp' for points"),
        ((3, 512, 512), "256"),
    ],
)
def test_dcgan_rejects_unsupported_shapes(shape, message):
    with pytest.raises(UserInputError, match=message):
        dcgan.build(shape, z_dim=8, width=4, max_width=16)


def test_mlp_points_are_unbounded_and_images_are_tanh():
    points = mlp.build((2,), z_dim=4, width=8, depth=2)
    out = points.generator(torch.randn(5, 4) * 100)
    assert out.shape == (5, 2)
    images = mlp.build((1, 8, 8), z_dim=4, width=8, depth=2)
    img = images.generator(torch.randn(3, 4) * 100)
    assert img.shape == (3, 1, 8, 8) and img.abs().max() <= 1
    assert images.discriminator(img).shape == (3,)


def test_conditional_dcgan_draws_each_class_and_projects_labels():
    torch.manual_seed(0)
    nets = dcgan.build((3, 16, 16), z_dim=8, width=8, max_width=32, classes=3)
    G, D = nets.generator.eval(), nets.discriminator.eval()
    noise = torch.randn(2, 8)
    one = torch.nn.functional.one_hot(torch.tensor([0, 0]), 3).float()
    two = torch.nn.functional.one_hot(torch.tensor([2, 2]), 3).float()
    with torch.no_grad():
        G.net[1].gain.weight[:, 2] = 3.0  # class 2's gains differ from class 0's in the first norm
        a, b = G(torch.cat([noise, one], 1)), G(torch.cat([noise, two], 1))
        mix = G(noise)  # no class part: the even mix of the classes
        assert a.shape == b.shape == mix.shape == (2, 3, 16, 16)
        assert not torch.allclose(a, b) and not torch.allclose(mix, a)
        x = torch.randn(2, 3, 16, 16)
        plain, labelled = D(x), D(x, labels=one)
        assert plain.shape == labelled.shape == (2,) and not torch.allclose(plain, labelled)


def test_unconditional_dcgan_has_no_class_parameters():
    nets = dcgan.build((3, 16, 16), z_dim=8, width=8, max_width=32)
    names = [n for n, _ in nets.generator.named_parameters()] + [n for n, _ in nets.discriminator.named_parameters()]
    assert not any("gain" in n or "embed" in n for n in names)


def test_class_batch_norm_speed_scales_the_class_terms_and_old_checkpoints_keep_their_meaning():
    torch.manual_seed(0)
    norm = dcgan.ClassBatchNorm2d(4, 3, speed=30.0).eval()
    x, c = torch.randn(2, 4, 5, 5), torch.nn.functional.one_hot(torch.tensor([0, 2]), 3).float()
    with torch.no_grad():
        assert torch.allclose(norm(x, c), norm.norm(x))  # every class starts at gain 1, bias 0
        norm.gain.weight[:, 2] = 0.01  # one small step of W moves class 2's gains by 30 times as much
        assert torch.allclose(norm(x, c)[1], norm.norm(x)[1] * 1.3)
    # a checkpoint saved before class_speed held the gains themselves (W c): it loads to the same pictures
    old_gain, old_bias = torch.rand(4, 3) + 0.5, torch.randn(4, 3)
    state = {
        "gain.weight": old_gain,
        "bias.weight": old_bias,
        **{f"norm.{k}": v for k, v in norm.norm.state_dict().items()},
    }
    state = type(norm.state_dict())(state)
    state._metadata = {"": {"version": 1}, "norm": {"version": 2}}
    norm.load_state_dict(state)
    with torch.no_grad():
        expected = norm.norm(x) * (c @ old_gain.T)[:, :, None, None] + (c @ old_bias.T)[:, :, None, None]
        assert torch.allclose(norm(x, c), expected, atol=1e-5)
