"""ganvas.training.corruption: the contract check of corrupt(), Corruption.prepare, build_corruption."""

import pytest
import torch

from ganvas import Corruption
from ganvas.errors import GanvasError, UserInputError
from ganvas.training.corruption import build_corruption, corrupt


def _pictures(b=2, c=3, h=8, w=12):
    return torch.rand(b, c, h, w, generator=torch.Generator().manual_seed(0))


class Returns(Corruption):
    """A corruption that returns whatever ``make(images)`` gives."""

    def __init__(self, make, masks=False):
        self.make, self.masks = make, masks

    def __call__(self, images, generator):
        return self.make(images)


def _one_line_error(corruption, images, match):
    with pytest.raises(GanvasError, match=match) as info:
        corrupt(corruption, images, torch.Generator(), "corruption 'bad'")
    message = str(info.value)
    assert "\n" not in message and "corruption 'bad'" in message
    return message


def test_a_good_corruption_passes_and_is_clamped_to_the_unit_range():
    images = _pictures()
    out = corrupt(Returns(lambda x: x * 0.5), images, torch.Generator())
    assert torch.equal(out, images * 0.5)
    loud = corrupt(Returns(lambda x: x * 3 - 1), images, torch.Generator())
    assert torch.equal(loud, (images * 3 - 1).clamp(0, 1)) and loud.min() == 0 and loud.max() == 1


def test_a_masking_corruption_appends_one_channel():
    images = _pictures()
    out = corrupt(
        Returns(lambda x: torch.cat([x, torch.zeros_like(x[:, :1])], 1), masks=True), images, torch.Generator()
    )
    assert out.shape == (2, 4, 8, 12)


@pytest.mark.parametrize(
    "make",
    [
        lambda x: x[..., :-1],  # one column short
        lambda x: x[:1],  # lost a picture
        lambda x: x[:, :1],  # lost channels
        lambda x: x.flatten(1),  # not (B, C, H, W)
        lambda x: x.numpy(),  # not a tensor
    ],
    ids=["width", "batch", "channels", "ndim", "numpy"],
)
def test_a_wrong_shape_is_a_one_line_error(make):
    message = _one_line_error(Returns(make), _pictures(), "turned")
    assert "(2, 3, 8, 12)" in message  # what it should have returned


def test_a_masking_corruption_without_its_mask_channel_is_a_one_line_error():
    message = _one_line_error(Returns(lambda x: x, masks=True), _pictures(), "mask channel")
    assert "(2, 4, 8, 12)" in message


def test_a_plain_corruption_with_an_extra_channel_is_refused():
    _one_line_error(Returns(lambda x: torch.cat([x, x[:, :1]], 1)), _pictures(), "turned")


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_nan_or_inf_is_a_one_line_error(bad):
    def make(x):
        x = x.clone()
        x[1, 2, 3, 4] = bad
        return x

    _one_line_error(Returns(make), _pictures(), "NaN or infinite")


def test_prepare_keeps_a_plain_picture_as_it_is():
    images = _pictures()
    assert torch.equal(Corruption().prepare(images), images)


def test_prepare_enlarges_by_scale():
    corruption = Corruption()
    corruption.scale = 3
    images = _pictures(h=5, w=7)
    out = corruption.prepare(images)
    assert out.shape == (2, 3, 15, 21) and out.min() >= 0 and out.max() <= 1
    # bicubic enlargement of a flat picture stays flat
    flat = corruption.prepare(torch.full((1, 3, 4, 6), 0.25))
    assert torch.allclose(flat, torch.full((1, 3, 12, 18), 0.25), atol=1e-6)


def test_prepare_of_a_masking_corruption_blanks_the_holes_and_appends_the_mask():
    corruption = Corruption()
    corruption.masks = True
    images = _pictures(b=1)
    mask = torch.zeros(1, 1, 8, 12)
    mask[..., 2:5, 3:9] = 1
    out = corruption.prepare(images, mask)
    assert out.shape == (1, 4, 8, 12)
    assert torch.equal(out[:, 3:], mask)
    holes = mask.bool().expand(1, 3, 8, 12)
    assert (out[:, :3][holes] == 0.5).all()
    assert torch.equal(out[:, :3][~holes], images[~holes])


def test_prepare_resizes_a_mask_to_the_enlarged_picture():
    corruption = Corruption()
    corruption.masks, corruption.scale = True, 2
    mask = torch.zeros(1, 1, 4, 4)
    mask[..., 0, 0] = 0.9  # > 0.5: missing
    out = corruption.prepare(torch.rand(1, 3, 4, 4), mask)
    assert out.shape == (1, 4, 8, 8)
    assert out[0, 3].sum() == 4 and (out[0, 3, :2, :2] == 1).all()  # one pixel -> its 2x2 block


def test_prepare_without_a_mask_for_a_masking_corruption_is_a_user_error():
    corruption = Corruption()
    corruption.masks = True
    with pytest.raises(UserInputError, match="--mask") as info:
        corruption.prepare(_pictures())
    assert "\n" not in str(info.value)


def test_the_base_class_has_no_damage_of_its_own():
    with pytest.raises(NotImplementedError):
        Corruption()(_pictures(), torch.Generator())


def test_build_corruption_builds_a_registered_one_with_its_label(host):
    corruption, label = build_corruption(host, "noise", {"sigma": 10.0})
    assert type(corruption).__name__ == "Noise" and corruption.sigma == 10.0
    assert "noise" in label and "ganvas.plugins.corruptions" in label
    assert "sigma=10.0" in repr(corruption)
