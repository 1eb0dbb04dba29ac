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
