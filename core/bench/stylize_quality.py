"""What ``ganvas bench stylize`` measures besides time: ``upscale`` against bicubic on photos.

Each held-out photo (scikit-image's astronaut, cat and coffee when the ``photos`` extra is
installed, else landscapes ganvas draws) is shrunk 4x (area averaging, as a camera's sensor
would), enlarged 4x again by ``upscale:factor=4`` and by plain bicubic, and compared with the
original: PSNR (dB, 4-px border left out) and sharpness, the mean gradient magnitude relative
to the original's (1.0: as crisp as the photo; bicubic is softer, below 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ganvas.plugin import PluginHost

__all__ = ["upscale_against_bicubic", "upscale_photos"]

_PHOTOS = ("astronaut", "chelsea", "coffee")
_BORDER = 4


def upscale_photos(host: PluginHost, limit: int = 512) -> tuple[str, dict[str, Any]]:
    """``(source, {name: (1, 3, H, W) float tensor in [0, 1]})``, each cut to a multiple of 4 and to
    at most ``limit`` px a side: scikit-image's photos when installed, else two drawn landscapes."""
    import torch

    try:
        from skimage import data
    except ImportError:
        pictures = host.get("datasets", "landscape").build("", size=limit, count=2, seed=11).data
        photos = {f"landscape-{i}": pictures[i : i + 1].float().div(255) for i in range(len(pictures))}
        source = "landscapes drawn by ganvas (pip install 'ganvas[photos]' for scikit-image's photos)"
    else:
        photos = {
            name: torch.from_numpy(getattr(data, name)()[..., :3].copy()).permute(2, 0, 1)[None].float().div(255)
            for name in _PHOTOS
        }
        source = "scikit-image's bundled photos (CC0 / public domain)"
    cut = {}
    for name, photo in photos.items():
        h, w = (min(limit, s) // 4 * 4 for s in photo.shape[-2:])
        cut[name] = photo[..., :h, :w].contiguous()
    return source, cut


def _psnr(a: Any, b: Any) -> float:
    """PSNR of two ``(1, 3, H, W)`` pictures in [0, 1] as the saved 8-bit images, the border left out
    (:func:`ganvas.bench.repair.psnr`, the figure the repair benchmark reports)."""
    from .repair import psnr

    def as_uint8(x: Any) -> Any:
        return x[0].clamp(0, 1).mul(255).round().byte().permute(1, 2, 0).numpy()

    inner = np.zeros(a.shape[-2:], dtype=bool)
    inner[_BORDER:-_BORDER, _BORDER:-_BORDER] = True
    return psnr(as_uint8(a), as_uint8(b), inner)


def _sharpness(image: Any) -> float:
    """Mean gradient magnitude of the luma (central differences)."""
    lum = (image * image.new_tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1)
    gx = lum[..., 1:-1, 2:] - lum[..., 1:-1, :-2]
    gy = lum[..., 2:, 1:-1] - lum[..., :-2, 1:-1]
    return float((gx.square() + gy.square()).sqrt().mean())


def upscale_against_bicubic(host: PluginHost, limit: int = 512) -> dict[str, Any]:
    """PSNR and sharpness of ``upscale:factor=4`` and of bicubic on 4x-shrunk held-out photos."""
    import torch
    import torch.nn.functional as F

    source, photos = upscale_photos(host, limit)
    upscale = host.get("stylizers", "upscale").build(factor=4)
    rows = []
    with torch.no_grad():
        for name, photo in photos.items():
            h, w = photo.shape[-2:]
            small = F.interpolate(photo, size=(h // 4, w // 4), mode="area")
            bicubic = F.interpolate(small, size=(h, w), mode="bicubic", align_corners=False).clamp(0, 1)
            ours = upscale(small).clamp(0, 1)
            crisp = _sharpness(photo)
            rows.append(
                {
                    "photo": name,
                    "size": [h, w],
                    "upscale_psnr": round(_psnr(ours, photo), 3),
                    "bicubic_psnr": round(_psnr(bicubic, photo), 3),
                    "upscale_sharpness": round(_sharpness(ours) / crisp, 3),
                    "bicubic_sharpness": round(_sharpness(bicubic) / crisp, 3),
                }
            )
    return {"photos": source, "rows": rows}
