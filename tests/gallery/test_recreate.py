"""Every gallery recipe, shortened, draws the same pixels as the code that built the gallery.

The committed gallery PNGs take minutes each to re-create (``ganvas run gallery/default.png``
does it and compares every pixel); this test keeps the same promise in seconds: each recipe,
trained for a few steps on a little data, must give exactly the pixels pinned here, which were
recorded before the training loop became method-agnostic (recipes added or changed since then
were pinned when they were, as the comments say). Any change to what a step computes,
or to the order random numbers are drawn in, changes them. Pixels are bit-exact only for the same
torch build, device, CPU and thread count (an AMD and an Intel processor with the same AVX512
kernels give other last bits), so the test runs on one CPU thread, keeps pins per processor model,
and is skipped (saying why) under another torch, instruction set or processor it has no pins for.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

RECIPES = Path(__file__).parents[2] / "gallery" / "recipes"
TORCH = "2.13.0+cpu"
#: The kernels the pins were recorded with: another instruction set changes the last bits.
CPU_CAPABILITY = "AVX512"
SHORT = [
    "train.steps=8",
    "train.batch=8",
    "data.count=48",
    "sample.seeds=0-3",
    "train.sample_every=4",
    "train.checkpoint_every=4",
    "train.log_every=2",
    "train.device=cpu",
]

#: recipe -> sha256 (first 16 hex digits) of the step-4 training grid's and the final image's pixels,
#: recorded on an Intel Xeon (the machine that built the gallery)
INTEL: dict[str, tuple[str, str]] = {
    "cobbles": ("c8055a98674bcba0", "b2f8d13a0a12ef16"),  # pinned when the recipe was added
    "default": ("f15a6587851f92bd", "bb24951f11373440"),  # re-pinned when the default became a cppn
    "hubble": ("041bdcfa39c5c422", "24c61607b38c191d"),  # pinned when the recipe was added (at 64 px)
    "grid25": ("4e1f823a4611226a", "05c08a341dc6795f"),
    "mondrian": ("0ecf501e8c661a9f", "381a4afa2c21fbdb"),
    "petals": ("69b191c120a8d9e5", "febaa58063e23f15"),
    "poster": ("5e571cfd89b9636b", "0ba8f43011246692"),  # pinned when the recipe was added
    "stones": ("acf186a41681a6d6", "b2ca3cba13ad0491"),  # pinned when the recipe was added (at 64 px)
    "ring8": ("34f09de90ac530c5", "0e3677be92c444e4"),
}
# circles, mountains and truchet left out: their stylizers (oil, watercolor, ink) changed after the
# Intel pins were recorded, and no Intel machine was at hand to record new ones

#: The same, recorded on an AMD EPYC from the code of the commit that added the repair recipes
#: (the recipes before them unchanged since their Intel pins)
AMD: dict[str, tuple[str, str]] = {
    "circles": ("6b3c3f7a9af45172", "184d54cfada63060"),  # re-pinned: oil's strokes (issue 21)
    "cobbles": ("af5a77f4dd71c199", "8c6e9ab92f78e39f"),
    "colorize": ("1dc2d4335410e307", "1f863c2749bde1c1"),
    "default": ("f15a6587851f92bd", "9dcf0f6e3bdda879"),
    "denoise": ("4488ed4c6a2fa388", "b3fefc85365fdfb8"),
    "grid25": ("4e1f823a4611226a", "05c08a341dc6795f"),
    "hubble": ("041bdcfa39c5c422", "8b3ac7f2d982dc73"),
    "inpaint": ("ee6b245f8bd2a144", "b35c46ffe4b1618a"),
    "mondrian": ("0ecf501e8c661a9f", "381a4afa2c21fbdb"),
    "mountains": ("cf5c8c65f1f910f2", "645f9554c62c40a1"),  # re-pinned: watercolour with paper (issue 21)
    "petals": ("69b191c120a8d9e5", "febaa58063e23f15"),
    "poster": ("aa78f9a8f25ff35e", "dc37f093d247b5bc"),
    "restyle": ("6340c0a2cc17ffa5", "989cfbdbfe1801bb"),
    "ring8": ("34f09de90ac530c5", "0e3677be92c444e4"),
    "sketch": ("5a6b82aeacd3c752", "5cfa34e8a9388da1"),
    "stones": ("acf186a41681a6d6", "56dd2a873f880f6f"),
    "styles": ("ce5a1e82c04ee324", "9dd32db82f725769"),  # re-pinned: class_loss, DiffAugment, betas (issue 20)
    "superres": ("89dfc14d2cfebdab", "e23d89c258b127d3"),
    "truchet": ("3bb57f88a84e9ddb", "f76b6674f190e309"),  # re-pinned: ink's solid shadows (issue 21)
}

#: processor model (/proc/cpuinfo) -> its pins
PINNED = {"Intel(R) Xeon(R) Processor": INTEL, "AMD EPYC": AMD}


def cpu_model() -> str:
    from ganvas.io.provenance import machine_fingerprint

    return machine_fingerprint().split(";")[0]


def pixels_digest(path: Path) -> str:
    with Image.open(path) as image:
        array = np.asarray(image)
    return hashlib.sha256(array.tobytes() + str(array.shape).encode()).hexdigest()[:16]


def shortened_run(cli, recipe: str) -> tuple[str, str]:
    args = ["run", str(RECIPES / f"{recipe}.toml"), "--quiet"]
    short = SHORT
    if 'source = "image:' in (RECIPES / f"{recipe}.toml").read_text():  # one picture: no count, a smaller one
        short = [("data.size=64" if item.startswith("data.count") else item) for item in SHORT]
        short += ["sample.size=96", "sample.height=0"]
    for item in short:
        args += ["--set", item]
    output = cli(*args).output
    final = Path(output.split("image: ")[1].split()[0])
    grid = final.parent / "samples" / "step-0000004.png"
    if not final.is_file():
        images = sorted((final.parent).glob("*.png")) if final.is_dir() else []
        final = images[0]
    return pixels_digest(grid), pixels_digest(final)


@pytest.mark.slow
@pytest.mark.skipif(torch.__version__ != TORCH, reason=f"pixels pinned for torch {TORCH}, this is {torch.__version__}")
@pytest.mark.skipif(
    torch.backends.cpu.get_cpu_capability() != CPU_CAPABILITY,
    reason=f"pixels pinned with {CPU_CAPABILITY} kernels, this CPU uses {torch.backends.cpu.get_cpu_capability()}",
)
@pytest.mark.parametrize("recipe", sorted(p.stem for p in RECIPES.glob("*.toml")))
def test_shortened_gallery_recipe_draws_the_pinned_pixels(cli, recipe, one_thread):
    pins = PINNED.get(cpu_model(), {})
    if recipe not in pins:
        pytest.skip(f"no pixels pinned for {recipe} on a {cpu_model()}")
    assert shortened_run(cli, recipe) == pins[recipe]
