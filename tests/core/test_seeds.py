import pytest
import torch

from ganvas.errors import UserInputError
from ganvas.seeds import latents_for_seeds, parse_seeds


@pytest.mark.parametrize("text, expected", [
    ("0-3", [0, 1, 2, 3]), ("1,5,9", [1, 5, 9]), ("0-1,7", [0, 1, 7]), ("42", [42]), (7, [7]),
])
def test_parse(text, expected):
    assert parse_seeds(text) == expected


@pytest.mark.parametrize("bad", ["", "a", "3-1", "-2", "1,,2", "0-99999"])
def test_bad_seeds_are_clear_errors(bad):
    with pytest.raises(UserInputError):
        parse_seeds(bad)


def test_latent_of_a_seed_does_not_depend_on_its_batch():
    alone = latents_for_seeds([7], 16)
    among = latents_for_seeds([1, 7, 3], 16)
    assert torch.equal(alone[0], among[1])
    assert not torch.equal(among[0], among[1])
