"""Networks of the image-to-image methods (``pix2pix``, ``cycle``): a U-Net generator, a
PatchGAN discriminator and the random-weight CNN whose features give a perceptual loss.

All are fully convolutional, so a network trained on 64-px crops works on any picture; the
U-Net pads a picture to a multiple of its coarsest cell (reflecting) and crops the result back.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.parametrizations import spectral_norm

__all__ = ["UNet", "PatchCritic", "RandomFeatures", "critic_layers", "check_critic_crop", "to_device"]

#: Channels of the U-Net's deepest levels are capped here (CPU-sized networks).
MAX_WIDTH = 256


def _conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    # zero padding: reflect padding cost 1.75x the time per step on a CPU (measured, 64-px crops),
    # and the residual output keeps borders from drifting
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1), nn.LeakyReLU(0.2, inplace=True))


class UNet(nn.Module):
    """U-Net (Ronneberger et al. 2015; pix2pix's generator): ``depth`` strided-conv halvings with
    skip connections to doublings that narrow the channels, then enlarge bilinearly (no chequerboard). With ``residual`` it predicts a
    change to its input's first ``out_channels`` channels (restoration: most of the answer is
    the input); otherwise the picture itself (``tanh``).

    ``forward(x)``: ``(B, in_channels, H, W)`` in [-1, 1] -> ``(B, out_channels, H, W)``, any H, W.
    """

    def __init__(
        self, in_channels: int, out_channels: int, width: int = 32, depth: int = 3, *, residual: bool = True
    ) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.width, self.depth = in_channels, out_channels, width, depth
        self.residual = residual
        widths = [min(width * 2**i, MAX_WIDTH) for i in range(depth + 1)]
        self.stem = nn.Sequential(_conv(in_channels, widths[0]), _conv(widths[0], widths[0]))
        self.down = nn.ModuleList(
            nn.Sequential(_conv(widths[i], widths[i + 1], 2), _conv(widths[i + 1], widths[i + 1])) for i in range(depth)
        )
        self.up = nn.ModuleList(_conv(widths[i + 1], widths[i]) for i in reversed(range(depth)))
        self.merge = nn.ModuleList(
            nn.Sequential(_conv(2 * widths[i], widths[i]), _conv(widths[i], widths[i])) for i in reversed(range(depth))
        )
        self.head = nn.Conv2d(widths[0], out_channels, 1)
        if residual:
            nn.init.zeros_(self.head.weight)  # starts as the identity: training refines the input
            nn.init.zeros_(self.head.bias)  # type: ignore[arg-type]  # Conv2d has a bias here

    @property
    def cell(self) -> int:
        """Sides are padded to a multiple of this many pixels."""
        return 2**self.depth

    def forward(self, x: Tensor) -> Tensor:
        h, w = x.shape[-2:]
        ph, pw = -h % self.cell, -w % self.cell
        # reflect where the picture is long enough to mirror, else repeat its edge
        mode = "reflect" if ph < h and pw < w else "replicate"
        padded = F.pad(x, (0, pw, 0, ph), mode=mode) if ph or pw else x
        skips, y = [], self.stem(padded)
        for down in self.down:
            skips.append(y)
            y = down(y)
        for up, merge in zip(self.up, self.merge):
            skip = skips.pop()
            # narrow first, then enlarge (bilinear): the same resize-conv without a chequerboard,
            # at a quarter of the cost of convolving the enlarged, wider map
            y = F.interpolate(up(y), size=skip.shape[-2:], mode="bilinear", align_corners=False)
            y = merge(torch.cat([y, skip], 1))
        out = self.head(y)[..., :h, :w]
        if self.residual:
            return x[:, : self.out_channels] + out
        return torch.tanh(out)


def to_device(module: nn.Module, device: torch.device) -> nn.Module:
    """``module`` on ``device``, channels-last: convolutions on CPUs (oneDNN) and GPUs run faster so."""
    return module.to(device, memory_format=torch.channels_last)  # type: ignore[call-overload]  # stubs lack it


def critic_layers(crop: int) -> int:
    """Strided layers a :class:`PatchCritic` can have on ``crop``-px pictures: 3 (pix2pix's 70x70
    patches) from 64 px, fewer below, so its last 4x4 convolutions still have pixels to see."""
    return max(1, min(3, crop.bit_length() - 4))


def check_critic_crop(label: str, crop: int, layers: int) -> None:
    """A one-line error when ``crop``-px pictures are too small for a critic of ``layers`` strided
    layers (it needs ``3 * 2**layers`` px: the strided layers, then two 4x4 convolutions)."""
    from ganvas.errors import UserInputError

    smallest = 3 * 2**layers
    if crop < smallest:
        fits = max((k for k in range(1, 6) if 3 * 2**k <= crop), default=0)
        fix = f"d_layers = {fits}" if fits else "crops of at least 6 px, or adversarial = 0 (no critic)"
        raise UserInputError(
            f"{label}: crop = {crop} px is too small for a critic of {layers} strided layers; give {fix}"
        )


class PatchCritic(nn.Module):
    """PatchGAN discriminator (pix2pix's 70x70): three strided 4x4 convolutions and two more,
    one logit per overlapping patch; spectral norm instead of batch norm (small CPU batches).

    ``forward(x)``: ``(B, in_channels, H, W)`` -> ``(B, 1, H', W')`` patch logits."""

    def __init__(self, in_channels: int, width: int = 64, layers: int = 3) -> None:
        super().__init__()
        blocks: list[nn.Module] = []
        cin = in_channels
        for i in range(layers):
            cout = min(width * 2**i, 512)
            blocks += [spectral_norm(nn.Conv2d(cin, cout, 4, 2, 1)), nn.LeakyReLU(0.2, inplace=True)]
            cin = cout
        blocks += [spectral_norm(nn.Conv2d(cin, cin, 4, 1, 1)), nn.LeakyReLU(0.2, inplace=True)]
        blocks.append(spectral_norm(nn.Conv2d(cin, 1, 4, 1, 1)))
        self.net = nn.Sequential(*blocks)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


class RandomFeatures(nn.Module):
    """Features of a fixed random-weight CNN (no pretrained weights, no downloads): random
    convolutions with ReLUs still respond to edges, textures and their scales (Ulyanov et al.
    2018; the ``texture`` stylizer's idea). The weights come from their own seed, never from the
    global RNG, and are not trained.

    :meth:`distance` is the mean over layers of the L1 distance of the features, relative to the
    target's mean feature size, so its weight reads like a pixel loss's."""

    def __init__(self, channels: int = 3, widths: tuple[int, ...] = (32, 64, 128), seed: int = 0) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        layers, cin = [], channels
        for cout in widths:
            conv = nn.Conv2d(cin, cout, 3, 1, 1)
            with torch.no_grad():
                conv.weight.copy_(torch.randn(conv.weight.shape, generator=generator) * (2 / (cin * 9)) ** 0.5)
                conv.bias.zero_()  # type: ignore[union-attr]  # Conv2d has a bias here
            layers.append(conv)
            cin = cout
        self.layers = nn.ModuleList(layers)
        self.requires_grad_(False)

    def features(self, x: Tensor) -> list[Tensor]:
        out = []
        for i, conv in enumerate(self.layers):
            x = F.relu(conv(x if i == 0 else F.avg_pool2d(x, 2)))
            out.append(x)
        return out

    def distance(self, x: Tensor, target: Tensor) -> Tensor:
        terms = []
        for fx, ft in zip(self.features(x), self.features(target)):
            terms.append((fx - ft).abs().mean() / ft.abs().mean().clamp_min(1e-6))
        return torch.stack(terms).mean()
