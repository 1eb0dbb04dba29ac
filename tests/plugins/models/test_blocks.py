"""The any-size architectures' shared discriminator: the projection term of a conditional one."""

import torch
import torch.nn.functional as F

from ganvas.plugins.models import blocks


def test_conv_discriminator_projection_adds_the_class_embedding():
    torch.manual_seed(0)
    D = blocks.ConvDiscriminator(3, 16, 16, 8, classes=2).eval()
    x, labels = torch.randn(4, 3, 16, 16), F.one_hot(torch.tensor([0, 1, 0, 1]), 2).float()
    with torch.no_grad():
        pooled = D.features(x).mean(dim=(2, 3))
        expected = D(x) + (D.embed(labels) * pooled).sum(1)
        assert torch.allclose(D(x, labels=labels), expected, atol=1e-6)
