"""``model``: a trained image-to-image run as a stylizer, so a learned denoiser, super-resolution
or painting style composes with the hand-written stylizers in any chain::

    [[stylize]]
    name = "model"
    run = "runs/00004-restyle"      # a run folder (its newest checkpoint) or a checkpoint file

The run's checkpoint is read once, when the chain is built. Its path is a ``pinned`` file
parameter: every image records the checkpoint's content hash, and ``ganvas run IMAGE`` refuses
to re-create the image when the checkpoint changed or is gone (another model would paint it).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import Tensor, nn

from ganvas.errors import UserInputError

__all__ = ["Model"]


class Model(nn.Module):
    """Pictures through a pix2pix or cycle run's generator (``Drawer.translate``), blended with
    the input by ``strength``. A super-resolution run enlarges by its factor; a grey picture
    goes into a colour model as grey RGB (and comes out in colour: a colouriser's job)."""

    #: A colour model turns grey pictures into colour ones (the chain allows 1 -> 3 channels).
    changes_channels = True

    def __init__(
        self, run: str, reverse: bool = False, strength: float = 1.0, tile: int = 512, ensemble: int = 1
    ) -> None:
        super().__init__()
        from ganvas.drawing import check_translates, load_run
        from ganvas.io import RECIPE_FILE
        from ganvas.plugin import get_host

        checkpoint = Path(run)
        run_dir = next((folder for folder in checkpoint.parents if (folder / RECIPE_FILE).is_file()), None)
        if run_dir is None:
            raise UserInputError(
                f"stylizer model: checkpoint '{checkpoint}' is not inside a run folder (no {RECIPE_FILE})"
            )
        # loaded on the CPU; the first pictures on another device move it there (the chain's --device)
        loaded = load_run(run_dir, get_host(), torch.device("cpu"), checkpoint)
        check_translates(loaded.drawer, f"stylizer model: run '{run_dir.name}' (method '{loaded.recipe.method.name}')")
        drawer = loaded.drawer
        if drawer.needs_mask:
            raise UserInputError(
                f"stylizer model: run '{run_dir.name}' fills holes and needs a mask of them; "
                f"use ganvas restore {run_dir} IMAGE --mask MASK"
            )
        if reverse:
            if not hasattr(drawer, "reversed"):
                raise UserInputError(f"stylizer model: reverse = true is for cycle runs; '{run_dir.name}' goes one way")
            drawer = drawer.reversed()
        drawer.tile, drawer.ensemble = tile, ensemble
        self.drawer, self.run, self.reverse, self.strength = drawer, run, reverse, strength
        self.step = loaded.step

    def forward(self, images: Tensor) -> Tensor:
        from ganvas.drawing import fit_channels

        if images.device != self.drawer.device:
            self.drawer.to(images.device)
        pictures, _ = fit_channels(images.float(), self.drawer.channels)
        out = self.drawer.translate(pictures).to(torch.float32)
        if self.strength < 1:
            base = pictures.to(out.device)
            if base.shape[-2:] != out.shape[-2:]:
                base = nn.functional.interpolate(base, size=out.shape[-2:], mode="bicubic", align_corners=False)
            out = base.lerp(out, self.strength)
        return out.clamp(0, 1)

    def extra_repr(self) -> str:
        return f"run={self.run!r}, step={self.step}, reverse={self.reverse}, strength={self.strength}"
