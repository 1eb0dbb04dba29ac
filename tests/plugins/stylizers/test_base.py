"""What every stylizer promises: shapes, dtype, range, batches, odd sizes, gray, determinism, errors."""

from __future__ import annotations

import inspect

import pytest
import torch
from stylizer_helpers import NAMES, NEEDS_RUN, one_thread, picture, settings_for, write_reference  # noqa: F401

from ganvas.errors import ParamError, UserInputError
from ganvas.plugin.testing import make_host
from ganvas.plugins.stylizers.specs import SPECS

SIZE_CHANGES = {"upscale"}


@pytest.fixture(scope="module")
def host():
    return make_host()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return write_reference(tmp_path_factory.mktemp("ref"))


def build(host, name, reference, **extra):
    return host.get("stylizers", name).build(**{**settings_for(name, reference), **extra})


def test_every_builtin_stylizer_is_registered_with_help_and_params(host):
    assert set(host.registry.names("stylizers")) == {*NAMES, *NEEDS_RUN}
    for name in (*NAMES, *NEEDS_RUN):
        component = host.get("stylizers", name)
        assert component.help and component.plugin == "ganvas.plugins.stylizers"


@pytest.mark.parametrize("name", NAMES)
def test_declared_params_match_the_pure_function(name):
    """One source of truth: the CLI's declared defaults are the Python function's defaults."""
    spec = next(s for s in SPECS if s.name == name)
    module_cls = _load(spec.factory)
    declared = {
        p.name: p.default for p in spec.params if p.name not in ("reference", "preset", "colors") or name != "palette"
    }
    declared.pop("reference", None)
    defaults = module_cls.defaults()
    if name == "palette":
        assert set(defaults) == {"dither"}
        signature = inspect.signature(module_cls.__init__).parameters
        assert {k: signature[k].default for k in ("preset", "colors", "dither", "seed")} == {
            p.name: p.default for p in spec.params if p.name != "reference"
        }
    else:
        assert defaults == declared


def _load(factory):
    import importlib

    module, _, attr = factory.partition(":")
    return getattr(importlib.import_module(module), attr)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("channels", [3, 1])
def test_shape_dtype_range_on_odd_sized_batches(host, reference, name, channels):
    images = picture(b=2, c=channels, h=23, w=31)
    if name == "palette" and channels == 1:  # presets work for grayscale too
        stylizer = host.get("stylizers", name).build(preset="pico8")
    else:
        stylizer = build(host, name, reference)
    with torch.no_grad():
        out = stylizer(images)
    factor = 2 if name in SIZE_CHANGES else 1
    assert out.shape == (2, channels, 23 * factor, 31 * factor)
    assert out.dtype == images.dtype
    assert torch.isfinite(out).all() and out.min() >= 0 and out.max() <= 1
    assert not torch.equal(out, images)  # it did something


@pytest.mark.parametrize("name", NAMES)
def test_channels_last_pictures_as_decoded_files_give(host, reference, name):
    """A decoded file is (H, W, C) permuted: channels-last memory (texture failed on it)."""
    images = picture(b=1, c=3, h=21, w=34).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)
    with torch.no_grad():
        out = build(host, name, reference)(images)
    factor = 2 if name in SIZE_CHANGES else 1
    assert out.shape == (1, 3, 21 * factor, 34 * factor) and torch.isfinite(out).all()


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_and_batch_independent(host, reference, name):
    images = picture(b=2, h=17, w=20)
    with torch.no_grad():
        first = build(host, name, reference)(images)
        again = build(host, name, reference)(images)
        single = build(host, name, reference)(images[1:])
    assert torch.equal(first, again)
    assert torch.allclose(first[1:], single, atol=1e-5)  # a picture's result does not depend on its batch


@pytest.mark.parametrize("name", NAMES)
def test_tiny_and_thin_pictures(host, reference, name):
    for h, w in ((1, 1), (2, 9), (9, 2)):
        with torch.no_grad():
            out = build(host, name, reference)(picture(b=1, h=h, w=w))
        assert out.shape[-2:] == ((2 * h, 2 * w) if name in SIZE_CHANGES else (h, w))
        assert torch.isfinite(out).all()


@pytest.mark.parametrize("name", NAMES)
def test_repr_shows_the_settings(host, reference, name):
    text = repr(build(host, name, reference))
    assert text.startswith(type(build(host, name, reference)).__name__ + "(")
    first_param = next(s for s in SPECS if s.name == name).params[0].name
    assert f"{first_param}=" in text


@pytest.mark.parametrize("name", NAMES)
def test_bad_parameter_names_and_values_list_what_is_valid(host, name):
    component = host.get("stylizers", name)
    with pytest.raises(ParamError, match="valid: "):
        component.build(no_such_param=1)
    numeric = next((p for p in component.params if p.type in (int, float) and p.max is not None), None)
    if numeric is not None:
        with pytest.raises(ParamError, match=rf"{numeric.name}: expected .*\[{numeric.min:g}, {numeric.max:g}\]"):
            component.build(**{numeric.name: numeric.max + 1000})


def test_pure_functions_check_their_inputs():
    from ganvas.plugins.stylizers.finishing import vignette
    from ganvas.plugins.stylizers.oil import oil

    with pytest.raises(ParamError, match=r"oil: expected images of shape \(B, C, H, W\)"):
        oil(torch.rand(3, 8, 8))
    with pytest.raises(ParamError, match="1 \\(grayscale\\) or 3 \\(RGB\\) channels, got 4"):
        oil(torch.rand(1, 4, 8, 8))
    with pytest.raises(ParamError, match="float images"):
        oil(torch.zeros(1, 3, 8, 8, dtype=torch.uint8))
    with pytest.raises(ParamError, match=r"oil: radius: expected integer in \[0, 64\], got -1"):
        oil(torch.rand(1, 3, 8, 8), radius=-1)
    with pytest.raises(ParamError, match="variant: expected one of 'classic', 'smooth', 'multiscale'"):
        oil(torch.rand(1, 3, 8, 8), variant="cubist")
    with pytest.raises(TypeError):
        vignette(torch.rand(1, 3, 8, 8), 0.5)  # settings are keyword-only


def test_reference_errors_are_one_line(host, tmp_path):
    with pytest.raises(UserInputError, match="color-transfer: reference image '.*nope.png' not found"):
        host.get("stylizers", "color-transfer").build(reference=str(tmp_path / "nope.png"))
    (tmp_path / "bad.png").write_text("not an image")
    with pytest.raises(UserInputError, match="cannot read reference image"):
        host.get("stylizers", "texture").build(reference=str(tmp_path / "bad.png"))
    with pytest.raises(ParamError, match="missing required parameter"):
        host.get("stylizers", "texture").build()
    with pytest.raises(ParamError, match="either reference=PATH .* or preset=NAME"):
        host.get("stylizers", "palette").build()


def test_half_precision_input_comes_back_as_half(host, reference):
    images = picture(b=1).half()
    out = build(host, "oil", reference)(images)
    assert out.dtype == torch.float16 and out.shape == images.shape
