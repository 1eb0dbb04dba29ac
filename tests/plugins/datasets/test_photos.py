"""ganvas.plugins.datasets.photos: names and groups, crops of scikit-image's photos, seeds, errors, the registry."""

import numpy as np
import pytest
import torch

from ganvas.errors import UnknownNameError, UserInputError
from ganvas.plugin.testing import check_dataset
from ganvas.plugins.datasets import photos

pytest.importorskip("skimage")  # the bench extra

TINY = {"size": 16, "channels": 3, "count": 6, "canvas": 48, "seed": 0}


def _load(argument: str, **changes) -> torch.Tensor:
    return photos.load(argument, **{**TINY, **changes}).data


def test_groups_and_names():
    assert photos.names_of("test") == ("astronaut", "chelsea")
    assert photos.names_of("train") == photos.GROUPS["train"] and photos.names_of("") == photos.GROUPS["train"]
    assert photos.names_of("all") == tuple(photos.PHOTOS) and len(photos.PHOTOS) == 8
    assert not set(photos.GROUPS["train"]) & set(photos.GROUPS["test"]), "held-out photos are never trained on"
    assert photos.names_of(" coffee , astronaut") == ("coffee", "astronaut")
    assert photos.names_of("test,astronaut,coffee") == ("astronaut", "chelsea", "coffee"), "each photo once"


@pytest.mark.parametrize("argument", ["dog", "astronaut,dog", "tset"])
def test_an_unknown_photo_lists_the_valid_names(argument):
    with pytest.raises(UnknownNameError) as info:
        photos.names_of(argument)
    message = str(info.value)
    assert "\n" not in message and "photo" in message
    for name in [*photos.PHOTOS, "train", "test", "all"]:
        assert name in message
    if argument == "tset":
        assert "did you mean 'test'" in message


@pytest.mark.parametrize("name", list(photos.PHOTOS))
def test_every_photo_is_bundled_and_in_colour(name):
    image = photos.photo(name)
    assert image.mode == "RGB" and min(image.size) >= 256
    assert photos.photo(name, channels=1).mode == "L"
    assert min(photos.photo(name, canvas=40).size) == 40


def test_load_gives_the_count_and_size_asked():
    data = photos.load("test", **TINY)
    assert data.data.shape == (6, 3, 16, 16) and data.data.dtype == torch.uint8
    assert data.name == "photos:astronaut,chelsea"
    assert _load("all", count=3, size=24).shape == (3, 3, 24, 24)  # fewer crops than photos
    assert _load("chelsea", channels=1).shape == (6, 1, 16, 16)


def test_crops_are_spread_over_the_photos_and_cut_from_them():
    data = _load("test", count=5)  # 3 crops of the astronaut, then 2 of the cat

    def windows(name):
        picture = torch.from_numpy(np.asarray(photos.photo(name, 3, TINY["canvas"])).copy()).permute(2, 0, 1)
        return picture.unfold(1, 16, 1).unfold(2, 16, 1)  # (C, rows, cols, 16, 16)

    def cut_from(crop, found):
        return bool((found == crop[:, None, None]).flatten(3).all(-1).all(0).any())

    astronaut, chelsea = windows("astronaut"), windows("chelsea")
    assert all(cut_from(crop, astronaut) for crop in data[:3])
    assert all(cut_from(crop, chelsea) and not cut_from(crop, astronaut) for crop in data[3:])


def test_crops_are_deterministic_per_seed():
    first = _load("test")
    assert torch.equal(first, _load("test"))
    assert not torch.equal(first, _load("test", seed=1))
    assert len({crop.numpy().tobytes() for crop in first}) == 6


@pytest.mark.parametrize("changes", [{"canvas": 0, "size": 301}, {"canvas": 32, "size": 40}])
def test_a_crop_larger_than_a_photo_is_a_one_line_error(changes):
    with pytest.raises(UserInputError, match="smaller than size") as info:
        _load("chelsea", **changes)  # 451x300 as it is
    message = str(info.value)
    assert "\n" not in message and "chelsea" in message and str(changes["size"]) in message


def test_the_registered_dataset_keeps_the_contract(host):
    component = host.get("datasets", "photos")
    data = component.build("test", size=16, count=4, canvas=40)
    check_dataset(data, (3, 16, 16))
