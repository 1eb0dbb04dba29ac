"""Pixel corruptions: noise (and JPEG), lower resolution, lost colour, a sketch of the picture.

Each takes clean ``(B, C, H, W)`` pictures in [0, 1] and a ``torch.Generator`` (all their
randomness), and returns the damaged pictures at the same size (see ganvas.training.corruption).
"""

from __future__ import annotations

import io

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import Tensor

from ganvas import Corruption

__all__ = ["Noise", "Downscale", "Grayscale", "Edges", "luma", "gaussian_blur"]

_LUMA = (0.299, 0.587, 0.114)


def luma(images: Tensor) -> Tensor:
    """``(B, 1, H, W)`` ITU-R 601 luma of ``(B, C, H, W)`` pictures (C = 1 is already luma)."""
    if images.shape[1] == 1:
        return images
    weights = torch.tensor(_LUMA, dtype=images.dtype, device=images.device).view(1, 3, 1, 1)
    return (images[:, :3] * weights).sum(1, keepdim=True)


def gaussian_blur(images: Tensor, sigma: float) -> Tensor:
    """A separable Gaussian blur of ``sigma`` px, reflecting at the border (``sigma = 0``: as is)."""
    if sigma <= 0:
        return images
    radius = max(1, int(3 * sigma + 0.5))
    x = torch.arange(-radius, radius + 1, dtype=images.dtype, device=images.device)
    kernel = torch.exp(-(x**2) / (2 * sigma**2))
    kernel = (kernel / kernel.sum()).view(1, 1, 1, -1)
    c = images.shape[1]
    out = F.pad(images, (radius, radius, 0, 0), mode="reflect")
    out = F.conv2d(out, kernel.expand(c, 1, 1, -1), groups=c)
    out = F.pad(out, (0, 0, radius, radius), mode="reflect")
    return F.conv2d(out, kernel.transpose(-1, -2).expand(c, 1, -1, 1), groups=c)


def _jpeg(images: Tensor, quality: int) -> Tensor:
    """Each picture saved as JPEG at ``quality`` and read back (PIL's encoder, 4:2:0 as cameras do)."""
    out = []
    for image in images:
        array = image.mul(255).round().clamp(0, 255).byte().permute(1, 2, 0).cpu().numpy()
        buffer = io.BytesIO()
        Image.fromarray(array.squeeze(-1) if array.shape[-1] == 1 else array).save(buffer, "JPEG", quality=quality)
        decoded = np.asarray(Image.open(buffer).convert("L" if array.shape[-1] == 1 else "RGB"))
        decoded = decoded[..., None] if decoded.ndim == 2 else decoded
        out.append(torch.from_numpy(decoded.copy()).permute(2, 0, 1))
    return torch.stack(out).to(images.device, images.dtype) / 255


class Noise(Corruption):
    """Additive Gaussian noise of ``sigma`` grey levels (or one drawn from ``[sigma_min, sigma]``
    per picture), then JPEG at ``jpeg`` quality when it is set."""

    def __init__(self, sigma: float = 25.0, sigma_min: float = -1.0, jpeg: int = 0) -> None:
        self.sigma, self.sigma_min, self.jpeg = sigma, sigma_min, jpeg

    def __call__(self, images: Tensor, generator: torch.Generator) -> Tensor:
        b = images.shape[0]
        sigma = torch.full((b, 1, 1, 1), self.sigma / 255, device=images.device, dtype=images.dtype)
        if self.sigma_min >= 0:
            low = min(self.sigma_min, self.sigma) / 255
            spread = torch.rand(b, 1, 1, 1, generator=generator, device=images.device, dtype=images.dtype)
            sigma = low + spread * (sigma - low)
        noise = torch.randn(images.shape, generator=generator, device=images.device, dtype=images.dtype)
        noisy = (images + sigma * noise).clamp(0, 1)
        return _jpeg(noisy, self.jpeg) if self.jpeg else noisy


class Downscale(Corruption):
    """Lower resolution: blur (optional), shrink ``factor`` times with antialiasing (bicubic, as
    image editors do), noise (optional), enlarge back to the size given (bicubic), so a
    network learns to turn a bicubic enlargement into a sharp picture."""

    def __init__(self, factor: int = 4, blur: float = 0.0, noise: float = 0.0) -> None:
        self.factor, self.blur, self.noise = factor, blur, noise
        self.scale = factor

    def shrink(self, images: Tensor) -> Tensor:
        """The small picture a camera or a web page would give: ``(B, C, H/factor, W/factor)``."""
        h, w = images.shape[-2:]
        small = (max(1, h // self.factor), max(1, w // self.factor))
        blurred = gaussian_blur(images, self.blur)
        return F.interpolate(blurred, size=small, mode="bicubic", antialias=True, align_corners=False).clamp(0, 1)

    def __call__(self, images: Tensor, generator: torch.Generator) -> Tensor:
        small = self.shrink(images)
        if self.noise:
            noise = torch.randn(small.shape, generator=generator, device=small.device, dtype=small.dtype)
            small = (small + noise * self.noise / 255).clamp(0, 1)
        return F.interpolate(small, size=images.shape[-2:], mode="bicubic", align_corners=False).clamp(0, 1)


class Grayscale(Corruption):
    """The picture's luma in every channel: the network learns to put the colour back."""

    def __call__(self, images: Tensor, generator: torch.Generator) -> Tensor:
        return luma(images).expand_as(images).contiguous()

    def prepare(self, images: Tensor, mask: Tensor | None = None) -> Tensor:
        """A colour picture is made grey first (the network colours grey pictures)."""
        return self(images, torch.Generator())


class Edges(Corruption):
    """Dark lines on white where the (blurred) luma changes: Sobel gradient magnitude over
    ``threshold`` draws a full line, weaker edges fainter ones."""

    def __init__(self, threshold: float = 0.12, blur: float = 1.0, input: str = "sketch") -> None:
        self.threshold, self.blur, self.input = threshold, blur, input

    def __call__(self, images: Tensor, generator: torch.Generator) -> Tensor:
        grey = gaussian_blur(luma(images), self.blur)
        sobel = torch.tensor(
            [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], dtype=grey.dtype, device=grey.device
        )
        kernels = torch.stack([sobel, sobel.T]).unsqueeze(1) / 4
        gradient = F.conv2d(F.pad(grey, (1, 1, 1, 1), mode="replicate"), kernels)
        strength = gradient.pow(2).sum(1, keepdim=True).sqrt()
        lines = 1 - (strength / self.threshold).clamp(0, 1)
        return lines.expand_as(images).contiguous()

    def prepare(self, images: Tensor, mask: Tensor | None = None) -> Tensor:
        """A sketch is used as it is (made grey); with ``input = "picture"`` its edges are found first."""
        if self.input == "picture":
            return self(images, torch.Generator())
        return luma(images).expand_as(images).contiguous()
