"""``ganvas train --nproc N``: several training processes through torchrun's elastic agent.

The command runs ``torch.distributed.run`` (what the ``torchrun`` script runs) in this process:
it starts N workers, ``python -m ganvas train ...`` with the same arguments minus the launch
options, and waits for them. On one machine the rendezvous is ``--standalone`` (a free local
port); across machines every node runs the same command with ``--nnodes M --rdzv-endpoint
HOST:PORT`` (c10d rendezvous: the first node to arrive hosts it). The workers' own messages
(one line each) say what went wrong; this process adds one line naming the failed rank, and a
rendezvous that does not complete in time is a one-line error, not a hang.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any

import click

from ganvas.errors import GanvasError, UserInputError

__all__ = ["LAUNCH_OPTIONS", "launch", "worker_arguments", "check_launch", "check_batch"]

#: Options that belong to the launcher, not to the workers (value-taking ones).
LAUNCH_OPTIONS = ("--nproc", "--nnodes", "--rdzv-endpoint", "--rdzv-timeout")


class WorkerFailed(GanvasError):
    """A training process failed; its own message was printed above."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def check_launch(nproc: int, nnodes: int, endpoint: str | None) -> None:
    """Options that cannot launch, refused before any process starts."""
    if nnodes > 1 and not endpoint:
        raise UserInputError(
            f"--nnodes {nnodes} needs --rdzv-endpoint HOST:PORT, the address every node meets at "
            "(the same on every node, e.g. the first node's name and a free port)"
        )
    if endpoint and ":" not in endpoint:
        raise UserInputError(f"--rdzv-endpoint '{endpoint}' must be HOST:PORT, e.g. node0:29400")


def check_batch(recipe: Any, processes: int) -> None:
    """``train.batch`` is the global batch: it must split evenly over the processes (the workers'
    own check, :meth:`ganvas.training.World.local_batch`, run before any of them starts)."""
    from ganvas.training.distributed import World

    World(size=processes).local_batch(recipe.train.batch)


def worker_arguments(argv: Sequence[str]) -> list[str]:
    """The command line a worker runs: ``argv`` without the launch options and their values."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if name in LAUNCH_OPTIONS:
            skip = "=" not in arg
            continue
        out.append(arg)
    return out


def _torchrun_argv(nproc: int, nnodes: int, endpoint: str | None, timeout: int, worker: list[str]) -> list[str]:
    argv = [f"--nproc-per-node={nproc}", f"--nnodes={nnodes}", "--max-restarts=0", "--monitor-interval=0.5"]
    if endpoint:
        argv += ["--rdzv-backend=c10d", f"--rdzv-endpoint={endpoint}", f"--rdzv-conf=join_timeout={timeout}"]
        argv += ["--rdzv-id=ganvas"]
    else:
        argv += ["--standalone"]
    return [*argv, "-m", "ganvas", *worker]


def launch(nproc: int, nnodes: int, endpoint: str | None, timeout: int, argv: Sequence[str] | None = None) -> None:
    """Run torchrun's agent for this command's workers; returns when they all finished."""
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.elastic.rendezvous.api import RendezvousError
    from torch.distributed.run import get_args_parser, run

    check_launch(nproc, nnodes, endpoint)
    worker = worker_arguments(sys.argv[1:] if argv is None else argv)
    for name in [*logging.root.manager.loggerDict, "torch.distributed"]:
        if name.startswith("torch.distributed"):  # the agent's chatter is not for artists: we say it in one line
            logging.getLogger(name).setLevel(logging.CRITICAL)
    where = f"{nnodes} node(s) x {nproc}" if nnodes > 1 else str(nproc)
    click.echo(f"training on {where} processes (torch.distributed, torchrun's elastic agent)", err=True)
    try:
        run(get_args_parser().parse_args(_torchrun_argv(nproc, nnodes, endpoint, timeout, worker)))
    except ChildFailedError as failed:
        rank, failure = failed.get_first_failure()
        code = failure.exitcode
        if code == 130 or code < 0:
            raise WorkerFailed(_stopped(rank, code), 130 if code == 130 else 1) from None
        if code == 2:  # bad input: the worker's one line says it all
            raise SystemExit(2) from None
        raise WorkerFailed(
            f"training process rank {rank} failed (exit code {code}; its message is above); "
            "the other processes were stopped",
            code if code in (1, 2) else 1,
        ) from None
    except SignalException as exc:  # Ctrl-C or SIGTERM: the workers got it too, and rank 0 saved a checkpoint
        raise WorkerFailed(_stopped(0, 130) + f" ({exc.sigval.name})", 130) from None
    except RendezvousError as exc:
        raise GanvasError(_rendezvous_message(exc, endpoint, nnodes, timeout)) from None


def _stopped(rank: int, code: int) -> str:
    if code == 130:
        return "training interrupted; rank 0 saved a checkpoint (see above): continue with ganvas train --resume RUN"
    return f"training process rank {rank} was killed (signal {-code}); the other processes were stopped"


def _rendezvous_message(exc: Any, endpoint: str | None, nnodes: int, timeout: int) -> str:
    what = " ".join(str(exc).split())[:200]
    return (
        f"the {nnodes} nodes did not all meet at {endpoint or 'localhost'} within {timeout} s ({what}): "
        "start the same ganvas train command on every node, with the same --nnodes and --rdzv-endpoint"
    )


def describe_options() -> list[Any]:
    """The click options of the launch (added to ``ganvas train``)."""
    return [
        click.option(
            "--nproc",
            type=click.IntRange(min=1),
            default=1,
            show_default=True,
            help="Training processes on this machine (torch.distributed; train.batch is split between them).",
        ),
        click.option(
            "--nnodes", type=click.IntRange(min=1), default=1, show_default=True, help="Machines training together."
        ),
        click.option("--rdzv-endpoint", default=None, metavar="HOST:PORT", help="Where the nodes meet (--nnodes > 1)."),
        click.option(
            "--rdzv-timeout",
            type=click.IntRange(min=1),
            default=300,
            show_default=True,
            help="Seconds to wait for every node (and for a collective) before giving up.",
        ),
    ]
