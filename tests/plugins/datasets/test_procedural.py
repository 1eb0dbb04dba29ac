"""Tests for ganvas.plugins.datasets.procedural: shapes, determinism, seeds, errors, content, the dataset."""

import numpy as np
import pytest
import torch

from ganvas.errors import UnknownNameError
from ganvas.plugins.datasets import procedural as styles

NAMES = ["circles", "mondrian", "truchet", "stripes", "mountains", "petals"]


def test_style_names_and_one_line_docstrings() -> None:
    assert list(styles.STYLES) == NAMES
    for fn in styles.STYLES.values():
        assert fn.__doc__ and "\n" not in fn.__doc__.strip()


@pytest.mark.parametrize("style", NAMES)
@pytest.mark.parametrize("size", [16, 33, 64, 256])
def test_shape_and_dtype(style: str, size: int) -> None:
    images = styles.draw_many(style, 2, size, seed=0)
    assert images.shape == (2, size, size, 3)
    assert images.dtype == np.uint8


@pytest.mark.parametrize("style", NAMES)
def test_draw_returns_one_rgb_image(style: str) -> None:
    image = styles.draw(style, np.random.default_rng(0), 32)
    assert image.shape == (32, 32, 3)
    assert image.dtype == np.uint8


@pytest.mark.parametrize("style", NAMES)
def test_deterministic_and_independent_of_count(style: str) -> None:
    images = styles.draw_many(style, 6, 32, seed=7)
    np.testing.assert_array_equal(images, styles.draw_many(style, 6, 32, seed=7))
    np.testing.assert_array_equal(images[:3], styles.draw_many(style, 3, 32, seed=7))


@pytest.mark.parametrize("style", NAMES)
def test_seeds_and_indices_give_different_images(style: str) -> None:
    first = styles.draw_many(style, 4, 32, seed=0)
    second = styles.draw_many(style, 4, 32, seed=1)
    for a, b in zip(first, second, strict=True):
        assert not np.array_equal(a, b)
    assert len({image.tobytes() for image in first}) == len(first)


@pytest.mark.parametrize("style", NAMES)
def test_images_are_not_flat(style: str) -> None:
    images = styles.draw_many(style, 32, 32, seed=3).astype(np.float64)
    per_image_std = images.reshape(len(images), -1, 3).std(axis=1).mean(axis=1)
    assert per_image_std.min() > 10, "an image is almost a single flat colour"
    assert np.median(per_image_std) > 30, "images are too low in contrast"


def test_unknown_style_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="unknown style 'plaid'") as error:
        styles.draw("plaid", np.random.default_rng(0), 32)
    for name in NAMES:
        assert name in str(error.value)
    with pytest.raises(ValueError, match="circles"):
        styles.draw_many("plaid", 1, 32, seed=0)


def test_procedural_is_deterministic_and_grayscale_works():
    a = styles.load("mondrian", size=16, channels=3, count=4, seed=0)
    b = styles.load("mondrian", size=16, channels=3, count=4, seed=0)
    assert torch.equal(a.data, b.data) and a.data.shape == (4, 3, 16, 16)
    gray = styles.load("mondrian", size=16, channels=1, count=4, seed=0)
    assert gray.data.shape == (4, 1, 16, 16)
    with pytest.raises(UnknownNameError, match="did you mean 'truchet'"):
        styles.load("truchat", size=16, channels=3, count=1, seed=0)


def test_mixed_draws_every_style_labelled_by_style():
    from ganvas.plugins.datasets.procedural import STYLES, draw_many, load

    data = load("mixed", size=16, channels=3, count=20, seed=5)
    assert data.classes == tuple(STYLES) and len(data) == 20
    assert list(data.class_counts().values()) == [4, 4, 3, 3, 3, 3]
    first_mondrian = int((data.labels == 1).nonzero()[0])
    expected = torch.from_numpy(draw_many("mondrian", 4, 16, 6)[0]).permute(2, 0, 1)
    assert torch.equal(data.data[first_mondrian], expected)  # style k draws from seed + k


def test_mixed_needs_one_image_per_style():
    from ganvas.errors import UserInputError
    from ganvas.plugins.datasets.procedural import load

    with pytest.raises(UserInputError, match="data.count >= 6"):
        load("mixed", size=16, channels=3, count=5, seed=0)
