"""Speed settings a method may honour: mixed precision, channels-last memory and torch.compile.

``[train] precision`` runs the forward passes under :func:`torch.autocast` in ``bf16`` or
``fp16`` (``fp32``: no autocast); ``fp16`` steps each optimizer through its own
:class:`torch.amp.GradScaler`, which scales the loss against underflow and skips a step whose
gradients are not finite. ``channels_last`` stores the networks' 4-D weights and the image batches
as NHWC, which the convolutions of tensor-core GPUs prefer. ``compile`` hands the networks to
:func:`torch.compile`. Each is off by default: with the defaults :class:`Speed` adds no operation
and no random draw, so a run trains bit for bit as before.

A method builds one :class:`Speed` from its recipe (:meth:`Speed.from_recipe`), converts its
networks (:meth:`Speed.networks`) before it wraps them for DDP, calls through
:meth:`Speed.compile`, runs its forward passes in ``with speed.autocast():``, moves batches
through :meth:`Speed.batch`, and steps with :func:`optimizer_step` and the scaler of
:meth:`Speed.scaler` (None unless ``fp16``), which it keeps in its checkpoint. A gradient penalty
(second derivatives) runs in ``with full_precision(device_type):``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import torch
from torch import Tensor, nn

from ganvas.errors import UserInputError

__all__ = ["Speed", "Compiled", "PRECISIONS", "full_precision", "optimizer_step", "autocast_supported"]

#: ``train.precision`` values and the dtype autocast runs the forward passes in (None: no autocast).
PRECISIONS: dict[str, torch.dtype | None] = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


def autocast_supported(device: torch.device, dtype: torch.dtype) -> bool:
    """Whether autocast on ``device`` computes in ``dtype`` with this torch and hardware (CUDA:
    bf16 needs Ampere or newer; CPU: fp16 needs torch >= 2.4; MPS: torch's own support)."""
    if device.type == "cuda":
        return dtype != torch.bfloat16 or torch.cuda.is_bf16_supported()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an older torch warns and turns autocast off
            with torch.autocast(device.type, dtype=dtype):
                out = torch.mm(torch.ones(2, 2, device=device), torch.ones(2, 2, device=device))
    except (RuntimeError, UserWarning, ValueError):
        return False
    return out.dtype == dtype


def _autocast_enabled(device_type: str) -> bool:
    try:
        return bool(torch.is_autocast_enabled(device_type))
    except TypeError:  # torch < 2.4: no device argument
        if device_type == "cpu":
            return bool(getattr(torch, "is_autocast_cpu_enabled")())  # noqa: B009  # absent from newer stubs
        return bool(torch.is_autocast_enabled())


@contextmanager
def full_precision(device_type: str) -> Iterator[None]:
    """Autocast off for the block when it is on (``device_type``: ``"cuda"``, ``"cpu"``, ...):
    gradient penalties take second derivatives, which half precision rounds away or overflows.
    A no-op outside autocast."""
    if not _autocast_enabled(device_type):
        yield
        return
    with torch.autocast(device_type, enabled=False):
        yield


def optimizer_step(optimizer: torch.optim.Optimizer, loss: Tensor, scaler: Any = None) -> None:
    """Zero the gradients, backpropagate ``loss`` and step; with a GradScaler (``fp16``) the loss
    is scaled, the gradients unscaled, a step with inf/NaN gradients skipped and the scale updated."""
    optimizer.zero_grad(set_to_none=True)
    if scaler is None:
        loss.backward()
        optimizer.step()
        return
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()


class Speed:
    """A run's speed settings on one device: see the module docstring."""

    def __init__(
        self, device: torch.device, precision: str = "fp32", channels_last: bool = False, compile: bool = False
    ) -> None:
        if precision not in PRECISIONS:
            raise UserInputError(f"train.precision = {precision!r}: expected one of {', '.join(PRECISIONS)}")
        self.device, self.precision = torch.device(device), precision
        self.channels_last, self.compiles = bool(channels_last), bool(compile)
        self.dtype = PRECISIONS[precision]
        if self.dtype is not None and not autocast_supported(self.device, self.dtype):
            raise UserInputError(_unsupported(precision, self.device))
        if precision == "fp16" and self.device.type == "cpu" and _main_process():
            logging.getLogger("ganvas").warning(
                "train.precision = fp16 on a CPU is slow (measured 12x slower than fp32 on a 2-core EPYC: "
                "torch emulates it); bf16 is a CPU's fast half precision"
            )

    @classmethod
    def from_recipe(cls, train: Any, device: torch.device, item_shape: tuple[int, ...]) -> Speed:
        """The recipe's ``[train]`` settings, checked against the device and the data's item shape
        (``channels_last`` needs images: items ``(C, H, W)``)."""
        if train.channels_last and len(item_shape) != 3:
            raise UserInputError(
                f"train.channels_last = true is for images (items C x H x W); this data's items have shape "
                f"{tuple(item_shape)}: set train.channels_last = false"
            )
        return cls(device, train.precision, train.channels_last, train.compile)

    @property
    def default(self) -> bool:
        """Whether every setting is off (plain fp32 eager training)."""
        return self.dtype is None and not self.channels_last and not self.compiles

    def autocast(self) -> AbstractContextManager[Any]:
        """The context forward passes run in: autocast to ``bf16``/``fp16``, or nothing for ``fp32``."""
        if self.dtype is None:
            return nullcontext()
        return torch.autocast(self.device.type, dtype=self.dtype)

    def scaler(self) -> Any:
        """A new GradScaler for one optimizer under ``fp16``; None otherwise (bf16 needs none)."""
        if self.precision != "fp16":
            return None
        amp = getattr(torch, "amp", None)
        if amp is not None and hasattr(amp, "GradScaler"):
            return amp.GradScaler(self.device.type)
        return torch.cuda.amp.GradScaler()  # torch < 2.3: CUDA only

    def networks(self, *modules: nn.Module) -> None:
        """Store the modules' 4-D weights channels-last (in place) when ``channels_last``."""
        if self.channels_last:
            for module in modules:
                module.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # stubs lack it

    def batch(self, x: Tensor) -> Tensor:
        """An image batch ``(B, C, H, W)`` in channels-last memory when ``channels_last``; else as is."""
        if self.channels_last and x.ndim == 4:
            return x.contiguous(memory_format=torch.channels_last)
        return x

    def compile(self, module: nn.Module) -> nn.Module:
        """``module`` through :func:`torch.compile` when ``compile`` (see :class:`Compiled`; the
        module itself keeps the weights and the state dict); else the module."""
        return Compiled(module) if self.compiles else module

    def compile_pair(self, bare: nn.Module, trained: nn.Module) -> tuple[nn.Module, nn.Module]:
        """:meth:`compile` of a network and of its DDP wrapper (``trained``), once when they are one."""
        if not self.compiles:
            return bare, trained
        fast = self.compile(bare)
        return fast, fast if trained is bare else self.compile(trained)

    def describe(self) -> str:
        """The settings in one line, e.g. ``bf16, channels-last, compiled``."""
        extras = ["channels-last"] * self.channels_last + ["compiled"] * self.compiles
        return ", ".join([self.precision, *extras])


class Compiled(nn.Module):
    """``module`` through :func:`torch.compile`, except in a gradient penalty (R1, WGAN-GP): a call
    whose input needs its gradient while the module's weights train is differentiated twice, which
    compiled graphs do not support, so it runs the module itself (eager)."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.eager = module
        self.fast = torch.compile(module)

    def forward(self, x: Tensor, *args: Any, **kwargs: Any) -> Any:
        if x.requires_grad and torch.is_grad_enabled() and _trains(self.eager):
            return self.eager(x, *args, **kwargs)
        return self.fast(x, *args, **kwargs)


def _trains(module: nn.Module) -> bool:
    first = next(module.parameters(), None)
    return first is not None and first.requires_grad


def _main_process() -> bool:
    from ganvas.training.distributed import current

    return current().main


def _unsupported(precision: str, device: torch.device) -> str:
    if device.type == "cuda":
        return f"train.precision = {precision}: this GPU has no fast bfloat16 (Ampere or newer has); use fp16 or fp32"
    if precision == "fp16":
        return (
            f"train.precision = fp16 needs a CUDA device (or torch >= 2.4 on CPU; this is {torch.__version__}); "
            "on CPU use bf16 or fp32"
        )
    return f"train.precision = {precision} is not supported on {device.type} by torch {torch.__version__}; use fp32"
