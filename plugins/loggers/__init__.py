"""Built-in loggers: ``jsonl`` (``stats.jsonl``, what ``ganvas watch``, ``plot`` and ``runs`` read)
and ``tensorboard`` (TensorBoard event files, with the ``tensorboard`` extra)."""

from ganvas import hookimpl


@hookimpl
def register_loggers(register):
    register(
        "jsonl",
        "ganvas.plugins.loggers.jsonl:JsonlLogger",
        help="one JSON line per log interval in stats.jsonl (read by ganvas watch, plot and runs)",
    )
    register(
        "tensorboard",
        "ganvas.plugins.loggers.tensorboard:TensorBoardLogger",
        aliases=["tb"],
        help="scalars and sample grids as TensorBoard event files in the run's tensorboard/ folder "
        "(pip install 'ganvas[tensorboard]'; view with: tensorboard --logdir RUN/tensorboard)",
    )
