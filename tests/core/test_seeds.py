import pytest
import torch

from ganvas.errors import UserInputError
from ganvas.seeds import format_seeds, latents_for_seeds, parse_seeds


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0-3", [0, 1, 2, 3]),
        ("1,5,9", [1, 5, 9]),
        ("0-1,7", [0, 1, 7]),
        ("42", [42]),
        (7, [7]),
    ],
)
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


@pytest.mark.parametrize(
    "seeds, text",
    [([0, 1, 2, 3, 9], "0-3,9"), ([5], "5"), ([3, 2, 1], "3,2,1"), ([0, 1, 5, 6, 7, 6], "0-1,5-7,6"), ([], "")],
)
def test_format_seeds_is_the_inverse_of_parse(seeds, text):
    assert format_seeds(seeds) == text
    if seeds:
        assert parse_seeds(text) == seeds


def test_sample_seed_choice():
    from ganvas.cli.sample import choose_seeds
    from ganvas.errors import UserInputError

    assert choose_seeds(None, None, "0-3") == [0, 1, 2, 3]
    assert choose_seeds("100", 4, "0-3") == [100, 101, 102, 103]
    random_seeds = choose_seeds(None, 5, "0-3")
    assert len(random_seeds) == 5 and all(0 <= s < 2**31 for s in random_seeds)
    with pytest.raises(UserInputError, match="one start seed"):
        choose_seeds("1,5", 3, "0-3")
