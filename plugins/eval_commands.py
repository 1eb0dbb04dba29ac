"""``ganvas eval RUN``: the Laplacian sliced Wasserstein distance of a trained run (no pretrained network)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ganvas import hookimpl


@click.command("eval", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("run_ref", metavar="RUN")
@click.option(
    "--samples",
    type=click.IntRange(min=2),
    default=512,
    show_default=True,
    help="Generated images (and real images per real set).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seeds the real sets, patches and projections (latents are seeds 0..N-1).",
)
@click.option(
    "--checkpoint",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Use this checkpoint file [default: the run's newest].",
)
@click.option(
    "--device",
    type=click.Choice(("auto", "cpu", "cuda", "mps")),
    default=None,
    help="Device for the generator [default: auto].",
)
@click.option(
    "--runs-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where run folders live [default: $GANVAS_RUNS_DIR or ./runs].",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def eval_run(
    host: Any,
    run_ref: str,
    samples: int,
    seed: int,
    checkpoint: str | None,
    device: str | None,
    runs_dir: str | None,
    as_json: bool,
) -> None:
    """Laplacian SWD (×10³, Progressive GAN protocol) of RUN's EMA generator against its dataset.

    RUN is a run folder, a run number, a recipe name (its latest run) or `latest`. Also prints
    the real-vs-real floor (two disjoint sets of real images): a generator cannot score below it.
    Lower is better.
    """
    import torch

    from ganvas.device import resolve_device
    from ganvas.drawing import load_run
    from ganvas.errors import UserInputError
    from ganvas.io import find_run, runs_root
    from ganvas.metrics import swd_report
    from ganvas.training import build_dataset

    run_dir = find_run(run_ref, runs_root(runs_dir))
    dev = resolve_device(device or "auto")
    loaded = load_run(run_dir, host, dev, Path(checkpoint) if checkpoint else None)
    if not loaded.kind.pictures:
        raise UserInputError(
            f"run '{run_dir.name}' generates {loaded.kind.kind}; SWD compares images (see `ganvas modes`)"
        )
    data = build_dataset(loaded.recipe, host)
    n = min(samples, len(data) // 2)
    if n < 2:
        raise UserInputError(f"the dataset has {len(data)} image(s); SWD needs at least 4 (two real sets of 2)")
    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))
    real_a, real_b = data.batch(order[:n]).cpu(), data.batch(order[n : 2 * n]).cpu()
    fake = loaded.drawer.draw(loaded.drawer.latents(list(range(n)))).float().cpu()
    report: dict[str, Any] = {
        "run": str(run_dir),
        "step": loaded.step,
        "samples": n,
        **swd_report(fake.clamp(-1, 1), real_a, real_b, seed=seed),
    }
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    if n < samples:
        click.echo(f"note: the dataset has {len(data)} images, so each set has {n} (asked for {samples})")
    click.echo(f"Laplacian SWD x1e3 of {run_dir.name} at step {loaded.step} ({n} images per set; lower is better)")
    click.echo(f"  {'level':>6}  {'fake':>8}  {'real floor':>10}")
    for level, value in report["fake"]["levels"].items():
        click.echo(f"  {level + 'px':>6}  {value:8.2f}  {report['real_floor']['levels'][level]:10.2f}")
    click.echo(f"  {'avg':>6}  {report['fake']['average']:8.2f}  {report['real_floor']['average']:10.2f}")


@hookimpl
def register_commands(cli):
    cli.add_command(eval_run)
