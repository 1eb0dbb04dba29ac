"""PacGAN packing: the discriminator sees m samples concatenated along the feature axis."""

from __future__ import annotations

from torch import Tensor, nn

from ganvas.training import Regularizer


def pack(items: Tensor, m: int) -> Tensor:
    """(B, C, ...) -> (B / m, m * C, ...): item k of group g is ``items[g * m + k]``."""
    b = items.shape[0]
    return items.reshape(b // m, m * items.shape[1], *items.shape[2:])


class PackedDiscriminator(nn.Module):
    """Runs ``inner`` (built for m-times wider items) on packed groups of m items."""

    def __init__(self, inner: nn.Module, m: int) -> None:
        super().__init__()
        self.inner, self.m = inner, m

    def forward(self, items: Tensor) -> Tensor:
        return self.inner(pack(items, self.m))


class Pack(Regularizer):
    """Packing degree ``m``: the batch must be a multiple of m."""

    def __init__(self, m: int = 2) -> None:
        self.m = m

    def check(self, batch: int) -> list[str]:
        if batch % self.m:
            return [f"train.batch: {batch} is not a multiple of pack m={self.m}"]
        return []

    def discriminator_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return (shape[0] * self.m, *shape[1:])

    def wrap_discriminator(self, D: nn.Module) -> nn.Module:
        return PackedDiscriminator(D, self.m)

    def __repr__(self) -> str:
        return f"Pack(m={self.m})"
