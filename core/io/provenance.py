"""What an image ganvas writes says about itself: the recipe that re-creates it, and more.

Every PNG ganvas writes carries text chunks: ``ganvas:recipe`` (the resolved recipe; its
``[sample]`` section says how the image was drawn), ``ganvas:seeds``, ``ganvas:step`` and
``ganvas:versions``, ``ganvas:machine``, ``ganvas:components`` (which plugin provided each
component) and ``ganvas:files`` (the content hash of each file a parameter names); ``ganvas stylize`` adds ``ganvas:stylize`` (its chain) and
``ganvas:source``; animations add ``ganvas:animation``. Reading them needs Pillow, not torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ganvas import __version__
from ganvas.errors import UserInputError
from ganvas.io.formats import IMAGE_SUFFIXES

if TYPE_CHECKING:
    from ganvas.plugin.manager import PluginHost
    from ganvas.recipe import Recipe

__all__ = [
    "Provenance",
    "read_provenance",
    "looks_like_image",
    "image_metadata",
    "machine_fingerprint",
    "printable",
    "component_record",
    "file_record",
    "recreation_differences",
    "pinned_changes",
    "FILES_KEY",
]

RECIPE_KEY = "ganvas:recipe"
FILES_KEY = "ganvas:files"


@dataclass
class Provenance:
    """The ganvas metadata of one image file."""

    path: Path
    recipe: str
    seeds: str = ""
    step: str = ""
    versions: str = ""
    machine: str = ""
    stylize: str = ""
    source: str = ""
    animation: str = ""
    #: ``section = plugin:name version`` per component, and ``section.param = sha256:HEX path`` per file
    components: str = ""
    files: str = ""
    other: dict[str, str] = field(default_factory=dict)

    def header(self) -> str:
        """TOML comment lines describing the image, to print above its recipe."""
        lines = [f"# recipe embedded in {printable(str(self.path))}"]
        for label, value in (
            ("seeds", self.seeds),
            ("training step", self.step),
            ("made with", self.versions),
            ("on", self.machine),
        ):
            if value:
                lines.append(f"# {label}: {printable(value)}")
        if self.animation:
            lines.append(f"# animation: {printable(self.animation)}")
        if self.stylize:
            source = printable(self.source or "an earlier image")
            lines.append(f"# then stylized from '{source}' with `ganvas stylize`, chain:")
            lines += [f"#   {printable(line)}" for line in self.stylize.strip().splitlines()[:50]]
        return "\n".join(lines) + "\n"


def printable(text: str, limit: int = 300) -> str:
    """``text`` from an image's metadata made safe to print or to write as a TOML comment: one
    line, no terminal escape or other control characters (shown as ``\\xNN``), at most ``limit``
    characters. Metadata is whatever the file says, not what ganvas wrote."""
    safe = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else "?" for c in text)
    return safe if len(safe) <= limit else safe[: limit - 3] + "..."


def looks_like_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def read_provenance(path: Path) -> Provenance:
    """The ganvas metadata of image ``path``; a one-line UserInputError when there is none."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            text = {k: str(v) for k, v in getattr(img, "text", {}).items()}
    except FileNotFoundError:
        raise UserInputError(f"image '{path}' does not exist") from None
    except (UnidentifiedImageError, OSError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise UserInputError(f"cannot read image '{path}': {exc}") from None
    if RECIPE_KEY not in text:
        hint = (
            " (a JPEG or a re-saved copy loses it; use the PNG ganvas wrote)" if path.suffix.lower() != ".png" else ""
        )
        raise UserInputError(f"'{path}' carries no ganvas recipe: it was not written by ganvas{hint}")
    known = {"recipe", "seeds", "step", "versions", "machine", "stylize", "source", "animation", "components", "files"}
    values = {k.removeprefix("ganvas:"): v for k, v in text.items() if k.startswith("ganvas:")}
    return Provenance(
        path,
        **{k: v for k, v in values.items() if k in known},
        other={k: v for k, v in text.items() if k.removeprefix("ganvas:") not in known},
    )


def image_metadata(recipe: Recipe, seeds: list[int], step: int, host: PluginHost) -> dict[str, str]:
    """PNG text chunks: the recipe that re-creates the image (its ``[sample]`` section says how
    it was drawn), and for quick reading its seeds, training step and software versions."""
    import torch

    from ganvas.recipe.validate import files_read

    plugins = ", ".join(f"{p.name} {p.version}" for p in host.plugins() if not p.builtin)
    files = file_record(files_read(recipe, host.registry))
    return {
        "Software": f"ganvas {__version__}",
        "ganvas:recipe": recipe.to_toml(),
        "ganvas:seeds": ",".join(map(str, seeds)),
        "ganvas:step": str(step),
        "ganvas:versions": f"ganvas {__version__}; torch {torch.__version__}" + (f"; {plugins}" if plugins else ""),
        "ganvas:machine": machine_fingerprint(),
        "ganvas:components": component_record(recipe, host),
        **({FILES_KEY: files} if files else {}),
    }


def component_record(recipe: Recipe, host: PluginHost) -> str:
    """One line per component: ``stylize.0 = dupe:duotone 0.1`` (built-ins: ``model = ganvas:dcgan built-in``)."""
    versions = {info.name: "built-in" if info.builtin else info.version for info in host.plugins()}
    lines = []
    for section, kind, ref in recipe.components():
        component = host.get(kind, ref.name)
        lines.append(f"{section} = {component.qualified} {versions.get(component.plugin, '')}".rstrip())
    return "\n".join(lines)


def file_record(files: dict[str, str]) -> str:
    """``stylize.0.reference = sha256:HEX /abs/path.png``, one line per file a parameter names."""
    return "\n".join(f"{key} = sha256:{file_sha256(Path(path))} {path}" for key, path in sorted(files.items()))


def file_sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def recreation_differences(made: Provenance, recipe: Recipe, host: PluginHost) -> list[str]:
    """What differs, before re-creating an image, between how it was made and what is here now:
    components provided by another plugin (or version), and files whose content changed."""

    then = _record_lines(made.components)
    now = _record_lines(component_record(recipe, host))
    found = [
        f"{key} was {then[key]}, is {now.get(key, '(missing)')} here"
        for key in then
        if key in now and then[key] != now[key]
    ]
    pinned = pinned_keys(recipe, host)
    found += [line for key, line in _changed_files(made, recipe, host) if key not in pinned]
    return found


def pinned_changes(made: Provenance, recipe: Recipe, host: PluginHost) -> list[str]:
    """The changed files behind parameters declared ``pinned`` (a trained model's checkpoint): an
    image made with another model cannot be re-created, so these are errors, not warnings."""
    pinned = pinned_keys(recipe, host)
    return [line for key, line in _changed_files(made, recipe, host) if key in pinned]


def pinned_keys(recipe: Recipe, host: PluginHost) -> set[str]:
    """``{"stylize.0.run"}``: the recipe's file parameters declared ``pinned``."""
    return {
        f"{section}.{param.name}"
        for section, kind, ref in recipe.components()
        for param in host.get(kind, ref.name).params
        if param.pinned and ref.params.get(param.name)
    }


def _changed_files(made: Provenance, recipe: Recipe, host: PluginHost) -> list[tuple[str, str]]:
    from ganvas.recipe.validate import files_read

    old_files = _record_lines(made.files)
    new_files = _record_lines(file_record(files_read(recipe, host.registry)))
    found = []
    for key, value in old_files.items():
        digest, _, path = value.partition(" ")
        current = new_files.get(key, "").partition(" ")[0]
        if current and current != digest:
            found.append(
                (key, f"{key}: the file {printable(path, 120)} changed since the image was made ({digest[:19]}…)")
            )
    return found


def _record_lines(text: str) -> dict[str, str]:
    pairs = (line.partition(" = ") for line in text.splitlines())
    return {key.strip(): value.strip() for key, sep, value in pairs if sep}


def machine_fingerprint() -> str:
    """What bit-for-bit re-creation on a CPU also depends on: the processor model, the instruction
    set torch's kernels use, and the number of torch threads."""
    import platform

    import torch

    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}; {torch.backends.cpu.get_cpu_capability()}; {torch.get_num_threads()} torch threads"
