"""The augmentation ops: shapes, ranges, gradients (gradcheck in double precision), identities."""

import pytest
import torch

from ganvas.errors import UnknownNameError
from ganvas.plugins.augment import ops
from ganvas.training.augment import AugmentPipeline, build_pipeline

ALL = ["color", "translation", "cutout", "flip", "rotate90", "hue", "affine", "noise"]
IN_RANGE = ["translation", "cutout", "flip", "rotate90", "hue", "affine"]  # color and noise may leave [-1, 1]


def _images(b=4, c=3, h=8, w=8, dtype=torch.float32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(b, c, h, w, generator=g, dtype=dtype) * 2 - 1


def test_every_op_is_registered(host):
    assert set(ALL) <= set(host.registry.names("augmentations"))


@pytest.mark.parametrize("name", ALL)
def test_shape_dtype_and_range(host, name):
    op = host.get("augmentations", name).build()
    x = _images(h=12, w=12)
    y = op(x, torch.Generator().manual_seed(1))
    assert y.shape == x.shape and y.dtype == x.dtype and torch.isfinite(y).all()
    if name in IN_RANGE:
        assert y.min() >= -1 - 1e-5 and y.max() <= 1 + 1e-5
    else:
        assert y.abs().max() < 6


@pytest.mark.parametrize("name", ALL)
def test_gradcheck_in_double_precision(host, name):
    op = host.get("augmentations", name).build()
    x = _images(b=2, h=4, w=4, dtype=torch.float64).mul(0.8).requires_grad_(True)

    def fn(inp):
        return op(inp, torch.Generator().manual_seed(3))  # same random draw on every call

    assert torch.autograd.gradcheck(fn, (x,), eps=1e-6, atol=1e-4)


def test_generator_makes_ops_reproducible(host):
    x = _images()
    for name in ALL:
        op = host.get("augmentations", name).build()
        a = op(x, torch.Generator().manual_seed(5))
        b = op(x, torch.Generator().manual_seed(5))
        assert torch.equal(a, b), name


def test_cutout_blanks_a_half_size_square_and_translation_pads_with_zero():
    x = torch.ones(6, 1, 8, 8)
    cut = ops.cutout(x, torch.Generator().manual_seed(0))
    zeros = (cut == 0).flatten(1).sum(1)
    assert (zeros <= 16).all() and (zeros > 0).all()  # a 4x4 square, clipped at the borders
    shifted = ops.translation(x, torch.Generator().manual_seed(0), ratio=0.25)
    assert ((shifted == 0) | (shifted == 1)).all()


def test_zero_strength_is_identity():
    x = _images()
    g = torch.Generator().manual_seed(0)
    assert torch.allclose(ops.color(x, g, brightness=0, saturation=0, contrast=0), x, atol=1e-6)
    assert torch.equal(ops.translation(x, g, ratio=0), x)
    assert torch.equal(ops.flip(x, g, chance=0), x)
    assert torch.allclose(ops.hue(x, g, amount=0), x)
    assert torch.allclose(ops.affine(x, g, degrees=0, scale=0, translate=0), x, atol=1e-5)


def test_params_are_validated(host):
    from ganvas.errors import ParamError

    with pytest.raises(ParamError):
        host.get("augmentations", "cutout").build(ratio=2.0)


def test_pipeline_p0_is_identity_and_p1_changes(host):
    x = _images()
    assert torch.equal(build_pipeline(host, "color,translation,cutout", 0.0)(x), x)
    adaptive = build_pipeline(host, "color,translation,cutout", 0.0, adaptive=True)
    assert torch.equal(adaptive(x), x)  # masks all false
    assert not torch.equal(build_pipeline(host, "color,translation,cutout", 1.0)(x), x)


def test_pipeline_p_is_per_sample_and_saved():
    ops_ = [("noise", lambda x, g: x + 1.0)]
    pipe = AugmentPipeline(ops_, 0.5, adaptive=True, generator=torch.Generator().manual_seed(0))
    y = pipe(torch.zeros(400, 1, 1, 1))
    share = (y == 1).float().mean().item()
    assert 0.4 < share < 0.6
    pipe.set_p(0.25)
    other = AugmentPipeline(ops_, 1.0, adaptive=True)
    other.load_state_dict(pipe.state_dict())
    assert other.p.item() == 0.25


def test_gradients_reach_the_input_through_the_pipeline(host):
    pipe = build_pipeline(host, "color,translation,cutout,flip,rotate90,hue,affine,noise", 0.7)
    x = _images().requires_grad_(True)
    pipe(x).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_unknown_policy_name_lists_valid_names(host):
    with pytest.raises(UnknownNameError, match="unknown augmentation 'colour'.*valid: affine, color, cutout"):
        build_pipeline(host, "colour,cutout")
