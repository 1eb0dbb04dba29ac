"""Every hook a ganvas plugin can implement, and the contract each one carries.

Component hooks receive a ``register`` callback; call it once per component::

    register(name, factory, params=[Param(...)], help="one line", aliases=["alt"])

``factory`` is a class or function (or a lazy ``"package.module:attr"`` string, imported only
when the component is used). The core owns names: two plugins may register the same name, and
both stay reachable as ``PLUGIN:NAME`` (see :mod:`ganvas.plugin.registry`).

Lifecycle hooks (``on_train_start`` ... ``on_train_end``) are called by the trainer on every
run, return nothing, and receive the trainer as :class:`TrainerView`. To opt in per recipe and
take parameters, register a *callback* instead (``register_callbacks``): an object with any of
the same methods, enabled by a recipe's ``[[callbacks]]``.

Contracts, checked where they are crossed:

- **architecture** ``factory(data_shape, **params) -> Networks(generator, discriminator, z_dim)``:
  ``generator(z)`` takes z of shape ``(B, z_dim)`` (standard normal) and returns ``(B, *data_shape)``
  in ``[-1, 1]`` (end with ``tanh``); ``discriminator(x)`` takes ``(B, *data_shape)`` and returns
  one raw logit per item, ``(B,)`` or ``(B, 1)``. Checked at build time with a dry forward pass
  (eval mode, no gradients, zeros); a violation names the component and its plugin.
- **stylizer** ``factory(**params)`` returns ``fn(images) -> images`` (or a module): ``(B, C, H, W)``
  floats in ``[0, 1]`` in, the same shape and range out, finite; it may change C only if it
  declares ``changes_channels = True`` on the callable. Checked at run time on every call.
- **dataset** ``factory(argument, **params) -> ImageSet | PointSet`` (``source = "name:argument"``);
  images are ``(N, C, H, W)`` in ``[-1, 1]``.
- **loss** ``factory(**params) -> Loss`` (``d_phase``/``g_phase`` return a ``PhaseResult``);
  **regularizer** ``factory(**params) -> Regularizer``; **augmentation** ``factory(**params)``
  returns ``fn(images) -> images``, differentiable, on ``[-1, 1]`` images.
- **method** ``factory(ctx: TrainContext, **params) -> Method`` (see :mod:`ganvas.training.method`).
- **callback** ``factory(**params)`` returns an object with any of the lifecycle methods below.
- **logger** ``factory(run_dir, recipe, start_step)`` returns an object with ``scalars(step, line)``
  (``line``: the dict of one ``stats.jsonl`` line), optionally ``image(step, tag, images, path)``
  (a sample grid: ``images`` (B, C, H, W) in [-1, 1], ``path`` its PNG) and ``close()``; a recipe
  picks loggers with ``train.log = ["jsonl", "tensorboard"]``.
- **corruption** ``factory(**params)`` returns ``fn(images, generator) -> images`` (a
  :class:`ganvas.Corruption`): clean ``(B, C, H, W)`` pictures in [0, 1] damaged the way a repair
  method learns to undo (noise, resolution, holes, colour); a recipe's ``[corrupt]`` picks one.

Any exception raised in plugin code is reported naming the plugin and the component or hook.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pluggy

if TYPE_CHECKING:
    import click
    import torch

    from ganvas.plugin.registry import RegisterFn
    from ganvas.recipe import Recipe
    from ganvas.training.method import Method

hookspec = pluggy.HookspecMarker("ganvas")

__all__ = [
    "hookspec",
    "TrainerView",
    "register_methods",
    "register_architectures",
    "register_losses",
    "register_regularizers",
    "register_augmentations",
    "register_stylizers",
    "register_datasets",
    "register_callbacks",
    "register_loggers",
    "register_corruptions",
    "register_commands",
    "on_train_start",
    "on_step_end",
    "on_sample",
    "on_checkpoint",
    "on_train_end",
]


class TrainerView(Protocol):
    """What lifecycle hooks and callbacks may use of the trainer they are handed.

    Read the attributes; call :meth:`log` to print and :meth:`request_stop` to end the run
    early (it checkpoints, as Ctrl-C does). Anything else on the object is private.
    """

    #: The resolved recipe being trained.
    recipe: Recipe
    #: The run folder (``runs/00012-name``): write your own files here.
    run_dir: Path
    #: Steps done so far (``on_train_start``: the start step, not 0 after ``--resume``).
    step: int
    #: Where the networks live.
    device: torch.device
    #: The training method: ``trainer.method.networks.generator`` etc. for ``gan``.
    method: Method
    #: True under ``--quiet``.
    quiet: bool

    def log(self, message: str) -> None:
        """Print a line above the progress bar (``print`` would tear it); silent under ``--quiet``."""

    def request_stop(self, reason: str = "stop requested") -> None:
        """Stop after this step: checkpoint and end as interrupted (resumable)."""


# -- components ------------------------------------------------------------------------------


@hookspec
def register_methods(register: RegisterFn) -> None:
    """Register training methods: ``factory(ctx: TrainContext, **params) -> Method`` (see ganvas.training.method)."""


@hookspec
def register_architectures(register: RegisterFn) -> None:
    """Register generator/discriminator pairs: ``factory(data_shape, **params) -> Networks`` (traits: accepts, any_size, tiles)."""


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
    """Register datasets: ``factory(argument, **params) -> Dataset`` for ``source = "name:argument"`` (trait: shape)."""


@hookspec
def register_callbacks(register: RegisterFn) -> None:
    """Register callbacks a recipe enables with ``[[callbacks]]``: ``factory(**params)`` -> an object with lifecycle methods."""


@hookspec
def register_loggers(register: RegisterFn) -> None:
    """Register loggers a recipe names in ``train.log``: ``factory(run_dir, recipe, start_step)`` -> an object with ``scalars``."""


@hookspec
def register_corruptions(register: RegisterFn) -> None:
    """Register corruptions a repair method trains to undo: ``factory(**params)`` -> a Corruption (see ganvas.training.corruption)."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add click commands or groups to the ``ganvas`` command line."""


# -- trainer lifecycle -------------------------------------------------------------------------


@hookspec
def on_train_start(trainer: TrainerView) -> None:
    """Called once before the first step (also after ``--resume``); ``trainer.step`` is the start step."""


@hookspec
def on_step_end(trainer: TrainerView, step: int, stats: dict[str, Any]) -> None:
    """Called after every training step with that step's stats (tensors; keep this cheap)."""


@hookspec
def on_sample(trainer: TrainerView, step: int, images: Any, path: Any) -> None:
    """Called after a sample grid is written: ``images`` is (B, C, H, W) in [-1, 1], ``path`` the PNG."""


@hookspec
def on_checkpoint(trainer: TrainerView, step: int, path: Any) -> None:
    """Called after a checkpoint file is written (atomically) at ``path``."""


@hookspec
def on_train_end(trainer: TrainerView, step: int, reason: str) -> None:
    """Called once when training stops; ``reason`` is 'finished', 'interrupted', 'diverged' or 'crashed'."""
