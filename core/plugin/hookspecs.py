"""Every hook a ganvas plugin can implement.

Component hooks receive a ``register`` callback; call it once per component::

    register(name, factory, params=[Param(...)], help="one line", aliases=["alt"])

``factory`` is a class or function (or a lazy ``"package.module:attr"`` string, imported only
when the component is used). The core owns names: a duplicate name is an error that names both
plugins. Lifecycle hooks are called by the trainer and return nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from ganvas.plugin.registry import RegisterFn

hookspec = pluggy.HookspecMarker("ganvas")

__all__ = ["hookspec"]


# -- components ------------------------------------------------------------------------------


@hookspec
def register_methods(register: RegisterFn) -> None:
    """Register training methods: ``factory(ctx: TrainContext, **params) -> Method`` (see ganvas.training.method)."""


@hookspec
def register_architectures(register: RegisterFn) -> None:
    """Register generator/discriminator pairs: ``factory(data_shape, **params) -> Networks``."""


@hookspec
def register_losses(register: RegisterFn) -> None:
    """Register GAN losses: ``factory(**params) -> Loss`` owning its D, G and regularisation phases."""


@hookspec
def register_regularizers(register: RegisterFn) -> None:
    """Register regularisers composable with any loss: ``factory(**params) -> Regularizer``."""


@hookspec
def register_augmentations(register: RegisterFn) -> None:
    """Register differentiable augmentations applied to every discriminator input."""


@hookspec
def register_stylizers(register: RegisterFn) -> None:
    """Register post-processing stylizers working on (B, C, H, W) images in [0, 1]."""


@hookspec
def register_datasets(register: RegisterFn) -> None:
    """Register datasets: ``factory(argument, **params) -> Dataset`` for ``source = "name:argument"``."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add click commands or groups to the ``ganvas`` command line."""


# -- trainer lifecycle -------------------------------------------------------------------------


@hookspec
def on_train_start(trainer: Any) -> None:
    """Called once before the first step (also after ``--resume``); ``trainer.step`` is the start step."""


@hookspec
def on_step_end(trainer: Any, step: int, stats: dict[str, Any]) -> None:
    """Called after every training step with that step's stats (tensors; keep this cheap)."""


@hookspec
def on_sample(trainer: Any, step: int, images: Any, path: Any) -> None:
    """Called after a sample grid is written: ``images`` is (B, C, H, W) in [-1, 1], ``path`` the PNG."""


@hookspec
def on_checkpoint(trainer: Any, step: int, path: Any) -> None:
    """Called after a checkpoint file is written (atomically) at ``path``."""


@hookspec
def on_train_end(trainer: Any, step: int, reason: str) -> None:
    """Called once when training stops; ``reason`` is 'finished', 'interrupted' or 'diverged'."""
