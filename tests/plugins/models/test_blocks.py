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


def test_class_scores_hold_every_class_projection_term_and_the_discriminator_returns_them():
    torch.manual_seed(0)
    D = blocks.ConvDiscriminator(3, 16, 16, 8, classes=3).eval()
    x = torch.randn(4, 3, 16, 16)
    labels = F.one_hot(torch.tensor([0, 1, 2, 1]), 3).float()
    with torch.no_grad():
        score, logits = D(x, labels=labels, class_logits=True)
        assert logits.shape == (4, 3)
        assert torch.allclose(score, D(x, labels=labels))
        # a one-hot label's projection term is that label's column of the class scores
        assert torch.allclose(D(x, labels=labels) - D(x), (logits * labels).sum(1), atol=1e-6)
