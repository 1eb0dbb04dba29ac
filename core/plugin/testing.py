"""Helpers for testing ganvas plugins (and ganvas itself) with pytest.

``use_plugins(plugin)`` registers a plugin temporarily, beside the built-ins and without any of
the machine's installed plugins, and gives a :class:`PluginTester` that builds components and
runs ``ganvas`` commands in-process::

    import ganvas_neon
    from ganvas.plugin.testing import check_stylizer, tiny_recipe, use_plugins

    def test_glow():
        with use_plugins(ganvas_neon) as ganvas:
            check_stylizer(ganvas.build("stylizers", "neon-glow", radius=3.0))
            assert "neon-glow" in ganvas.invoke("list", "stylizers").output
            image = ganvas.run_recipe(tiny_recipe(stylize=[{"name": "neon-glow"}]))

``tiny_recipe()`` is recipe data that trains in about a second on a CPU; ``make_host()`` builds
a bare plugin host. A plugin that fails to load raises here (strict), with its traceback.
The ``check_*`` functions assert each component kind's contract; their AssertionError says what is wrong.
"""

from __future__ import annotations

import copy
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ganvas.plugin import manager
from ganvas.plugin.manager import PluginHost
from ganvas.plugin.registry import Component

if TYPE_CHECKING:
    from click.testing import Result

__all__ = [
    "tiny_recipe",
    "make_host",
    "use_plugins",
    "PluginTester",
    "check_architecture",
    "check_dataset",
    "check_stylizer",
    "check_loss",
    "check_callback",
    "check_method",
]

_TINY: dict[str, Any] = {
    "name": "tiny",
    "data": {"source": "procedural:circles", "size": 16, "count": 32},
    "model": {"name": "dcgan", "width": 8, "z_dim": 8},
    "loss": {"name": "nonsaturating"},
    "train": {
        "steps": 6,
        "batch": 8,
        "sample_every": 3,
        "checkpoint_every": 3,
        "log_every": 2,
        "device": "cpu",
        "keep_checkpoints": 5,
    },
    "sample": {"seeds": "0-3"},
}


def tiny_recipe(**sections: Any) -> dict[str, Any]:
    """Raw recipe data for a 16-px DCGAN trained 6 steps.

    ``train={"steps": 2}`` updates a section; a section that names another component
    (``model={"name": "mlp"}``, ``data={"source": "toy2d:ring"}``) or a list
    (``stylize=[{"name": "neon-glow"}]``) replaces it whole.
    """
    raw = copy.deepcopy(_TINY)
    for key, values in sections.items():
        if isinstance(values, dict) and not ({"name", "source"} & values.keys()):
            raw.setdefault(key, {}).update(values)
        else:
            raw[key] = values
    return raw


def make_host(*plugins: Any, strict: bool = True) -> PluginHost:
    """A plugin host with the built-ins and ``plugins`` (modules or objects with ``@hookimpl``s).

    None of the machine's installed plugins are loaded. ``strict`` (the default) raises
    :class:`ganvas.plugin.manager.PluginLoadError`, chained to the plugin's own exception, instead of
    skipping a plugin that fails.
    """
    return PluginHost(entry_points=False, extra=plugins, strict=strict)


class PluginTester:
    """ganvas with your plugin registered: build its components, run commands in-process."""

    def __init__(self, host: PluginHost, runs_dir: Path, scratch: Path | None = None) -> None:
        self.host = host
        self.runs_dir = runs_dir
        self._scratch = scratch  # where run_recipe writes recipe files (None: the system's temp folder)

    def component(self, kind: str, name: str) -> Component:
        """The registered component, e.g. ``component("stylizers", "neon-glow")``."""
        return self.host.get(kind, name)

    def build(self, kind: str, name: str, *args: Any, **params: Any) -> Any:
        """Validate ``params`` against the declared Params and call the factory, as a recipe would."""
        return self.host.get(kind, name).build(*args, **params)

    def invoke(self, *args: str, code: int = 0, input: str | None = None) -> Result:
        """Run ``ganvas ARGS`` in-process; AssertionError (with the output) unless it exits ``code``.

        When the exit code is wrong and the command raised, the error is chained to the
        traceback, so a bug in your plugin shows where it happened.
        """
        from click.testing import CliRunner

        from ganvas.cli import make_cli

        cli = make_cli(self.host)
        env = {"GANVAS_RUNS_DIR": str(self.runs_dir)}
        result = CliRunner().invoke(cli, list(args), input=input, env=env)
        if result.exit_code != code:
            message = f"ganvas {' '.join(args)} exited {result.exit_code}, expected {code}; output:\n{result.output}"
            debug = CliRunner().invoke(cli, ["--debug", *args], input=input, env=env)
            cause = debug.exception if not isinstance(debug.exception, SystemExit) else None
            raise AssertionError(message) from cause
        return result

    def run_recipe(self, recipe: Mapping[str, Any] | str | Path, *options: str) -> Path:
        """``ganvas run`` a recipe (raw data such as :func:`tiny_recipe`, or a file); the final image."""
        if isinstance(recipe, Mapping):
            import tomli_w

            path = Path(tempfile.mkdtemp(dir=self._scratch)) / f"{recipe.get('name', 'recipe')}.toml"
            path.write_text(tomli_w.dumps(dict(recipe)))
            recipe = path
        output = self.invoke("run", str(recipe), "--quiet", *options).output
        found = re.search(r"^image: (.+)$", output, re.M)
        if found is None:
            raise AssertionError(f"ganvas run printed no 'image: PATH' line; output:\n{output}")
        return Path(found[1].strip())


@contextmanager
def use_plugins(*plugins: Any, runs_dir: str | Path | None = None) -> Iterator[PluginTester]:
    """Register ``plugins`` temporarily (modules or objects with ``@ganvas.hookimpl`` functions).

    While the block runs, ganvas's process-wide plugin host (what the CLI and
    ``ganvas.plugin.manager.get_host()`` use) is one with the built-ins and ``plugins``; afterwards the
    previous one is back. Runs go to ``runs_dir`` (default: a temporary folder, removed after).
    """
    scratch = Path(tempfile.mkdtemp(prefix="ganvas-test-"))
    tester = PluginTester(make_host(*plugins), Path(runs_dir) if runs_dir else scratch / "runs", scratch)
    previous = manager._HOST
    manager.reset_host(tester.host)
    try:
        yield tester
    finally:
        manager.reset_host(previous)
        shutil.rmtree(scratch, ignore_errors=True)


def check_stylizer(
    stylizer: Callable[[Any], Any],
    *,
    channels: Sequence[int] = (1, 3),
    size: int = 16,
    batch: int = 2,
    tolerance: float = 1e-4,
) -> None:
    """Assert the stylizer contract; AssertionError says what is wrong.

    For each channel count: (B, C, H, W) float images in [0, 1] (H != W) must give a float
    tensor of the same shape, finite and in [0, 1] (within ``tolerance``), leave the input
    unchanged, and treat each image on its own (a batch gives what its images give one by one).
    An odd-sized, non-square RGB picture laid out channels-last (as a decoded file is) must work too.
    """
    import torch

    for c in channels:
        images = torch.rand(batch, c, size, size + 8, generator=torch.Generator().manual_seed(c))
        before = images.clone()
        with torch.no_grad():
            out = stylizer(images)
            label = f"{stylizer!r} on {tuple(images.shape)} images"
            _check_items(label, out, tuple(images.shape), (0, 1), tolerance, "the same shape, float")
            if not torch.equal(images, before):
                raise AssertionError(f"{label}: changed its input in place")
            one_by_one = torch.cat([stylizer(images[i : i + 1]) for i in range(batch)])
            if not torch.allclose(one_by_one, out, atol=1e-5):
                raise AssertionError(f"{label}: an image's result depends on the other images in the batch")
    if 3 in channels:
        odd = torch.rand(1, size + 1, size + 7, 3, generator=torch.Generator().manual_seed(7)).permute(0, 3, 1, 2)
        with torch.no_grad():
            label = f"{stylizer!r} on a channels-last {tuple(odd.shape)} picture"
            _check_items(label, stylizer(odd), tuple(odd.shape), (0, 1), tolerance, "the same shape, float")


# -- the other component kinds -----------------------------------------------------------------


def _check_items(label: str, out: Any, shape: tuple, bounds: Any, tolerance: float = 1e-4, what: str = "") -> None:
    """``out`` must be a finite float tensor of ``shape`` (``what`` says so), within ``bounds`` unless None."""
    import torch

    if not isinstance(out, torch.Tensor):
        raise AssertionError(f"{label}: returned {type(out).__name__}, expected a tensor")
    if tuple(out.shape) != shape or not out.dtype.is_floating_point:
        raise AssertionError(f"{label}: returned {out.dtype} {tuple(out.shape)}, expected {what or f'float {shape}'}")
    if not torch.isfinite(out).all():
        raise AssertionError(f"{label}: returned NaN or inf values")
    if bounds and (out.min() < bounds[0] - tolerance or out.max() > bounds[1] + tolerance):
        low, high = bounds
        raise AssertionError(f"{label}: values in [{out.min():.4g}, {out.max():.4g}], expected [{low}, {high}]")


def _call(label: str, what: str, fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except Exception as exc:
        raise AssertionError(f"{label}: {what} raised {exc!r}") from exc


def _check_gradients(label: str, part: str, net: Any) -> None:
    import torch

    grads = [p.grad for p in net.parameters() if p.grad is not None]
    if not grads:
        raise AssertionError(f"{label}: no gradient reached the {part}'s parameters")
    if not all(torch.isfinite(g).all() for g in grads):
        raise AssertionError(f"{label}: the {part}'s gradients have NaN or inf values")


def check_architecture(
    networks_or_factory: Any, data_shape: Sequence[int] = (3, 16, 16), *, batch: int = 4, tolerance: float = 1e-4
) -> None:
    """Assert the architecture contract; AssertionError says what is wrong.

    ``networks_or_factory`` is a ``ganvas.Networks`` or a factory called as ``factory(data_shape)``
    (``lambda shape: tester.build("architectures", "mine", shape, width=16)``). In training mode
    the generator must map standard-normal z ``(batch, z_dim)`` to finite items
    ``(batch, *data_shape)`` in [-1, 1] (images; points need only be finite), the discriminator
    give one finite logit per item, ``(batch,)`` or ``(batch, 1)``, and a backward pass from the
    logits must give finite gradients to both networks.
    """
    import torch

    from ganvas.training.components import Networks

    shape = tuple(data_shape)
    label = f"architecture {getattr(networks_or_factory, '__qualname__', 'Networks')} for items of shape {shape}"
    nets = networks_or_factory if isinstance(networks_or_factory, Networks) else networks_or_factory(shape)
    if not isinstance(nets, Networks):
        raise AssertionError(f"{label}: returned {type(nets).__name__}, expected ganvas.Networks")
    if not isinstance(nets.z_dim, int) or nets.z_dim < 1:
        raise AssertionError(f"{label}: z_dim is {nets.z_dim!r}, expected a positive int")
    G, D = nets.generator, nets.discriminator
    G.train()
    D.train()
    device = next(G.parameters(), torch.zeros(0)).device  # where the networks are
    z = torch.randn(batch, nets.z_dim, generator=torch.Generator().manual_seed(0)).to(device)
    items = _call(label, f"its generator on z of shape {tuple(z.shape)}", G, z)
    bounds = (-1, 1) if len(shape) == 3 else None
    _check_items(f"{label}: its generator on z of shape {tuple(z.shape)}", items, (batch, *shape), bounds, tolerance)
    logits = _call(label, f"its discriminator on items of shape {tuple(items.shape)}", D, items)
    if not isinstance(logits, torch.Tensor) or tuple(logits.shape) not in ((batch,), (batch, 1)):
        got = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise AssertionError(f"{label}: its discriminator gave {got}, expected one logit per item, ({batch},)")
    if not torch.isfinite(logits).all():
        raise AssertionError(f"{label}: its discriminator gave NaN or inf logits")
    logits.float().mean().backward()
    _check_gradients(label, "generator", G)
    _check_gradients(label, "discriminator", D)


def check_dataset(dataset: Any, shape: Sequence[int] | None = None, *, batch: int = 8) -> None:
    """Assert the dataset contract; AssertionError says what is wrong.

    ``dataset`` (what a dataset factory returned) must be a ``ganvas.ImageSet`` of ``(C, H, W)``
    images with C = 1 or 3, or a ``ganvas.PointSet`` of ``(D,)`` points, with items of ``shape``
    when given. Its batches must be finite float items, images in [-1, 1]; all points finite.
    """
    import torch

    from ganvas.data.kinds import ImageSet, PointSet

    if not isinstance(dataset, (ImageSet, PointSet)):
        raise AssertionError(f"dataset {type(dataset).__name__}: expected a ganvas.ImageSet or ganvas.PointSet")
    label, item, images = f"dataset {dataset!r}", tuple(dataset.shape), isinstance(dataset, ImageSet)
    if shape is not None and item != tuple(shape):
        raise AssertionError(f"{label}: items of shape {item}, expected {tuple(shape)}")
    if images and (len(item) != 3 or item[0] not in (1, 3)):
        raise AssertionError(f"{label}: images of shape {item}, expected (C, H, W) with C = 1 or 3")
    if not images and not torch.isfinite(dataset.data).all():
        raise AssertionError(f"{label}: has NaN or inf points")
    n = min(batch, len(dataset))
    _check_items(f"{label}: batch() of {n} items", dataset.batch(torch.arange(n)), (n, *item), images and (-1, 1))


def check_loss(loss: Any, *, batch: int = 4) -> None:
    """Assert the loss contract; AssertionError says what is wrong.

    ``loss`` must be a ``ganvas.Loss``. On a tiny built-in architecture (``mlp``, 1x8x8 images),
    ``d_phase`` and ``g_phase`` must each return a ``ganvas.PhaseResult`` whose ``loss`` is a
    finite scalar tensor; backpropagating it must give finite gradients to
    the discriminator (D phase) or the generator (G phase). ``n_critic`` must be a positive int.
    """
    import torch

    from ganvas.training.components import Loss, PhaseResult, identity

    if not isinstance(loss, Loss):
        raise AssertionError(f"loss {type(loss).__name__}: expected a ganvas.Loss (or LogitLoss) subclass")
    label = f"loss {loss!r}"
    if not isinstance(loss.n_critic, int) or loss.n_critic < 1:
        raise AssertionError(f"{label}: n_critic is {loss.n_critic!r}, expected a positive int")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        nets = make_host().get("architectures", "mlp").build((1, 8, 8), z_dim=4, width=16, depth=1)
        real, z = torch.rand(batch, 1, 8, 8) * 2 - 1, torch.randn(batch, nets.z_dim)
        G, D = nets.generator, nets.discriminator
        for phase, part, net in (("d_phase", "discriminator", D), ("g_phase", "generator", G)):
            G.zero_grad(set_to_none=True)
            D.zero_grad(set_to_none=True)
            result = _call(label, f"{phase}(G, D, real, z, augment)", getattr(loss, phase), G, D, real, z, identity)
            if not isinstance(result, PhaseResult):
                raise AssertionError(f"{label}: {phase} returned {type(result).__name__}, expected ganvas.PhaseResult")
            value, where = result.loss, f"{label}: {phase}'s loss"
            if not isinstance(value, torch.Tensor) or value.numel() != 1:
                raise AssertionError(f"{where} is {type(value).__name__} {getattr(value, 'shape', '')}, not a scalar")
            if not torch.isfinite(value).all():
                raise AssertionError(f"{where} is {value.item()}, expected a finite number")
            if not value.requires_grad:
                raise AssertionError(f"{where} has no gradient (computed under no_grad, or detached?)")
            value.backward()
            _check_gradients(f"{label}: {phase}", part, net)
        loss.after_d_step(D)


def _train_with(kind: str, factory: Callable[..., Any], label: str, **sections: Any) -> None:
    """Train :func:`tiny_recipe` 2 steps, each sampled and checkpointed, with ``factory``
    registered as the ``kind`` component ``checked`` (by the plugin ``check``)."""
    from types import SimpleNamespace

    from ganvas.plugin.manager import hookimpl
    from ganvas.plugin.registry import KINDS

    plugin = SimpleNamespace(__name__="check", **{KINDS[kind]: hookimpl(lambda register: register("checked", factory))})
    steps = {"steps": 2, "sample_every": 1, "checkpoint_every": 1, "log_every": 1}
    with use_plugins(plugin) as tester:
        try:
            tester.run_recipe(tiny_recipe(train=steps, **sections))
        except AssertionError as exc:
            raise AssertionError(f"{label}: a 2-step tiny training with it failed: {exc}") from exc.__cause__


def check_callback(callback: Any, *, train: bool = True) -> None:
    """Assert the callback contract; AssertionError says what is wrong.

    ``callback`` (what a callback factory returned) must have lifecycle methods
    (``on_train_start`` ... ``on_train_end``, see :mod:`ganvas.plugin.hookspecs`), each taking by
    name only arguments its hook passes (``trainer``, ``step``, ``stats``...; a default or
    ``**kwargs`` covers others). With ``train``, a tiny recipe then trains 2 steps with it in
    ``[[callbacks]]``, calling every method with a real trainer; one that raises fails the check.
    """
    import inspect

    from ganvas.plugin import hookspecs
    from ganvas.training.hooks import LIFECYCLE_HOOKS

    label = f"callback {callback!r}"
    methods = {name: getattr(callback, name) for name in LIFECYCLE_HOOKS if callable(getattr(callback, name, None))}
    if not methods:
        raise AssertionError(f"{label}: has none of the lifecycle methods {', '.join(LIFECYCLE_HOOKS)}")
    for name, method in methods.items():
        passed = list(inspect.signature(getattr(hookspecs, name)).parameters)
        for p in inspect.signature(method).parameters.values():
            named = p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            if p.kind is p.POSITIONAL_ONLY or (named and p.name not in passed and p.default is p.empty):
                raise AssertionError(f"{label}: {name} takes {p.name!r}; its hook passes {', '.join(passed)}, by name")
    if train:
        _train_with("callbacks", lambda: callback, label, callbacks=[{"name": "checked"}])


def check_method(method: type, params: Mapping[str, Any] | None = None, **sections: Any) -> None:
    """Assert the method contract by training with it; AssertionError says what is wrong.

    ``method`` (a ``ganvas.Method`` subclass, built as ``method(ctx, **params)``) trains a tiny
    recipe 2 steps: ``train_step`` (finite stats), ``state_dict`` (a checkpoint each step), ``grid``
    (a sample each step) and its ``drawer`` (the final picture) must work. ``sections`` change the
    recipe, e.g. ``data={"source": "toy2d:ring"}`` for a method that trains on points.
    """
    init = method.__init__  # type: ignore[misc]
    bound = type(method.__name__, (method,), {"__init__": lambda self, ctx: init(self, ctx, **(params or {}))})
    _train_with("methods", bound, f"method {method.__qualname__}", method={"name": "checked"}, **sections)
