"""``ganvas list`` and ``ganvas recipes``: what is installed and how to use it (plugins: plugins.py)."""

from __future__ import annotations

import json
from typing import Any

import click

from ganvas.cli import options
from ganvas.errors import UnknownNameError
from ganvas.plugin.manager import PluginHost
from ganvas.plugin.registry import KINDS
from ganvas.plugin.traits import describe_accepts


def _param_line(p: Any) -> str:
    default = "required" if p.required else f"= {p.default!r}"
    return f"      {p.name:<16} {p.describe()} {default}" + (f"  -- {p.help}" if p.help else "")


def _abilities(traits: dict[str, Any]) -> str:
    """An architecture's declared traits in words: what it accepts, whether it renders any size."""
    parts = []
    if "accepts" in traits:
        parts.append(f"takes {describe_accepts(traits['accepts'])}")
    if traits.get("any_size"):
        parts.append("renders at any size (--size WxH)")
    if traits.get("tiles"):
        parts.append("paints seamless tiles (--tile)")
    return "; ".join(parts)


@click.command("list", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("kind", required=False, metavar="[KIND]")
@click.argument("source", required=False, metavar="[SOURCE]")
@click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE", help="A dataset parameter, with SOURCE (repeatable)."
)
@options.json_flag
@click.pass_obj
def list_components(
    host: PluginHost, kind: str | None, source: str | None, overrides: tuple[str, ...], as_json: bool
) -> None:
    """List components and their parameters. KIND: architectures, losses, augmentations,
    stylizers, datasets, or recipe (the [train] and [sample] keys).

    `ganvas list datasets SOURCE [--set KEY=VALUE]...` builds one data source (as data.source and
    [data] would) and says what it holds: items, their shape and, for labelled data, the items of
    each class, e.g. `ganvas list datasets folder:~/art --set classes=subfolders`."""
    if source is not None or overrides:
        if kind not in ("datasets", "dataset") or source is None:
            raise click.UsageError("SOURCE and --set go with KIND 'datasets': ganvas list datasets SOURCE [--set K=V]")
        _describe_source(host, source, overrides, as_json)
        return
    kinds = list(KINDS)
    if kind is not None and kind not in (*kinds, "recipe"):
        singular = {k[:-1] if k != "losses" else "loss": k for k in kinds}
        if kind in singular:
            kind = singular[kind]
        else:
            raise UnknownNameError("kind", kind, [*kinds, "recipe"])
    if kind == "recipe":
        from ganvas.recipe import SampleConfig, TrainConfig, params_of

        sections = {"train": params_of(TrainConfig), "sample": params_of(SampleConfig)}
        if as_json:
            click.echo(json.dumps({s: [p.to_dict() for p in ps] for s, ps in sections.items()}, indent=2))
            return
        for section, params in sections.items():
            click.echo(f"[{section}]")
            for p in params:
                click.echo(_param_line(p))
        return
    chosen = [kind] if kind else kinds
    if as_json:
        data = [c.to_dict() for k in chosen for c in host.registry.components(k)]
        click.echo(json.dumps(data if kind else {k: [d for d in data if d["kind"] == k] for k in chosen}, indent=2))
        return
    for k in chosen:
        components = list(host.registry.components(k))
        click.echo(f"{k} ({len(components)})")
        if not components:
            click.echo("    (none installed)")
        for c in components:
            alias = f" (alias: {', '.join(c.aliases)})" if c.aliases else ""
            ref = host.registry.ref(c)
            shown = c.name if ref == c.name else f"{c.name} (as '{ref}')"
            click.echo(f"  {shown}{alias}  [{c.plugin}]")
            if c.help:
                click.echo(f"      {c.help}")
            if can := _abilities(c.traits):
                click.echo(f"      {can}")
            for p in c.params:
                click.echo(_param_line(p))
        click.echo()


def _describe_source(host: PluginHost, source: str, overrides: tuple[str, ...], as_json: bool) -> None:
    """One data source built and summarised: items, shape, classes with their counts."""
    from ganvas.recipe import apply_overrides, parse_source

    raw: dict[str, Any] = {"data": {}}
    apply_overrides(raw, [f"data.{item}" for item in overrides])
    ref = parse_source(host.registry, source, raw["data"])
    data = host.get("datasets", ref.name).build(ref.argument, **ref.params)
    counts = data.class_counts() if getattr(data, "labeled", False) else {}
    summary = {"source": source, "items": len(data), "shape": list(data.shape), "classes": counts}
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(f"{source}: {len(data)} items of {'x'.join(map(str, data.shape))}")
    if counts:
        click.echo(f"{len(counts)} classes: " + ", ".join(f"{name} {n}" for name, n in counts.items()))
    else:
        click.echo("no labels (unconditional only)")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@options.json_flag
def recipes(as_json: bool) -> None:
    """Built-in recipes, runnable by name: ganvas run NAME."""
    from ganvas.recipe import builtin_recipes

    found = builtin_recipes()
    if as_json:
        click.echo(json.dumps([{"name": n, "description": d} for n, d in found.items()], indent=2))
        return
    width = max((len(n) for n in found), default=0)
    for name, description in found.items():
        click.echo(f"  {name:<{width}}  {description}")
    click.echo("\nrun one with: ganvas run NAME   (print it: ganvas run NAME --dry-run)")


COMMANDS = (list_components, recipes)
