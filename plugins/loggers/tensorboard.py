"""The ``tensorboard`` logger: TensorBoard event files in ``RUN/tensorboard/`` through torch's
SummaryWriter (which needs the ``tensorboard`` package: ``pip install 'ganvas[tensorboard]'``).

Every number of a stats line becomes a scalar under its name (``Loss/D``, ``SWD/avg``, ...; the
names already group as TensorBoard's ``Group/name``), and every sample grid an image ``samples``
at its step. A resumed run writes a new event file and tells TensorBoard to drop the events past
the resume step (``purge_step``), so its curves never double back."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ganvas import GanvasError

__all__ = ["TensorBoardLogger", "FOLDER"]

FOLDER = "tensorboard"


class TensorBoardLogger:
    def __init__(self, run_dir: Path, recipe: Any, start_step: int) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise GanvasError(
                "train.log names 'tensorboard', but the tensorboard package is not installed: "
                "pip install 'ganvas[tensorboard]' (or take it out of train.log)"
            ) from None
        self.writer = SummaryWriter(str(Path(run_dir) / FOLDER), purge_step=start_step or None)

    def scalars(self, step: int, line: dict[str, Any]) -> None:
        for key, value in line.items():
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if key != "step" and number and math.isfinite(value):
                self.writer.add_scalar(key, value, step)
        self.writer.flush()

    def image(self, step: int, tag: str, images: Any, path: Path) -> None:
        """The grid as saved (its PNG, at the recipe's sample.scale), so TensorBoard shows what samples/ holds."""
        import numpy as np
        from PIL import Image

        with Image.open(path) as picture:
            array = np.asarray(picture.convert("RGB"))
        self.writer.add_image(tag, array, step, dataformats="HWC")
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()
