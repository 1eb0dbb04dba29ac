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

__all__ = ["tiny_recipe", "make_host", "use_plugins", "PluginTester", "check_stylizer"]

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
            _check_output(label, images, out, tolerance)
            if not torch.equal(images, before):
                raise AssertionError(f"{label}: changed its input in place")
            one_by_one = torch.cat([stylizer(images[i : i + 1]) for i in range(batch)])
            if not torch.allclose(one_by_one, out, atol=1e-5):
                raise AssertionError(f"{label}: an image's result depends on the other images in the batch")
    if 3 in channels:
        odd = torch.rand(1, size + 1, size + 7, 3, generator=torch.Generator().manual_seed(7)).permute(0, 3, 1, 2)
        with torch.no_grad():
            _check_output(f"{stylizer!r} on a channels-last {tuple(odd.shape)} picture", odd, stylizer(odd), tolerance)


def _check_output(label: str, images: Any, out: Any, tolerance: float) -> None:
    import torch

    if not isinstance(out, torch.Tensor):
        raise AssertionError(f"{label}: returned {type(out).__name__}, expected a tensor")
    if out.shape != images.shape or not out.dtype.is_floating_point:
        raise AssertionError(f"{label}: returned {out.dtype} {tuple(out.shape)}, expected the same shape, float")
    if not torch.isfinite(out).all():
        raise AssertionError(f"{label}: returned NaN or inf values")
    if out.min() < -tolerance or out.max() > 1 + tolerance:
        raise AssertionError(f"{label}: values in [{out.min():.4g}, {out.max():.4g}], expected [0, 1]")
