"""Reference images: the files that palette, color-transfer and texture take their look from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from torch import Tensor

from ganvas.errors import ParamError, UserInputError
from ganvas.io import UNREADABLE_IMAGE_ERRORS, open_image, pil_to_tensor

from .base import StylizerModule
from .ops import luma, resize

__all__ = ["load_reference", "match_channels", "ReferenceModule"]


def load_reference(path: str | Path, stylizer: str) -> Tensor:
    """Read ``path`` as RGB ``(1, 3, H, W)`` float in [0, 1]; a missing or unreadable file is a one-line error."""
    text = str(path)
    if not text:
        raise ParamError(f"{stylizer}: give a reference image: {stylizer}:reference=PATH")
    file = Path(text).expanduser()
    if not file.is_file():
        raise UserInputError(f"{stylizer}: reference image '{text}' not found")
    try:
        img = open_image(file, channels=3)
    except UNREADABLE_IMAGE_ERRORS as exc:
        raise UserInputError(f"{stylizer}: cannot read reference image '{text}': {exc}") from None
    return pil_to_tensor(img).unsqueeze(0).float().div(255)


def match_channels(reference: Tensor, images: Tensor) -> Tensor:
    """``reference`` on ``images``' device and dtype, as gray when the images are grayscale."""
    reference = reference.to(images)
    if images.shape[1] == 1 and reference.shape[1] == 3:
        return luma(reference)
    if images.shape[1] == 3 and reference.shape[1] == 1:
        return reference.expand(-1, 3, -1, -1)
    return reference


class ReferenceModule(StylizerModule):
    """A stylizer module whose function takes a ``reference`` image tensor, loaded from a file path.

    The path is what recipes and ``-s name:reference=PATH`` give; the image is read once, when
    the module is built, so a missing file fails before any work is done.
    """

    stylizer: str = "reference"  # the registered name, for error messages
    max_side: int = 1024  # larger references are shrunk on loading: statistics need no more

    def __init__(self, reference: str, **settings: Any) -> None:
        super().__init__(**settings)
        self.reference = reference
        self.register_buffer("reference_image", self.load(reference), persistent=False)

    def load(self, reference: str) -> Tensor:
        image = load_reference(reference, self.stylizer)
        h, w = image.shape[-2:]
        scale = self.max_side / max(h, w)
        if scale < 1:
            image = resize(image, (max(1, round(h * scale)), max(1, round(w * scale))), "area")
        return image

    def extra_arguments(self) -> dict[str, Any]:
        return {"reference": self.reference_image}

    def extra_repr(self) -> str:
        return f"reference={self.reference!r}" + (", " + super().extra_repr() if self.settings else "")
