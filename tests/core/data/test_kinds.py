"""Datasets carry optional class labels: checked against their names, moved with the data."""

from __future__ import annotations

import pytest
import torch

from ganvas.data import ImageSet


def test_labels_index_the_class_names():
    images = torch.zeros(4, 1, 2, 2, dtype=torch.uint8)
    data = ImageSet(images, "x", labels=torch.tensor([1, 0, 1, 1]), classes=["a", "b"])
    assert data.labeled and data.class_counts() == {"a": 1, "b": 3}
    assert data.labels_at(torch.tensor([0, 1])).tolist() == [1, 0]
    assert "classes=2" in repr(data)
    assert not ImageSet(images).labeled and ImageSet(images).class_counts() == {}


@pytest.mark.parametrize(
    ("labels", "classes", "message"),
    [([0, 1], ["a", "b"], "one per item"), ([0, 2, 0, 0], ["a", "b"], "index the 2 class names"), ([0] * 4, [], "0..")],
)
def test_labels_that_do_not_fit_are_refused(labels, classes, message):
    with pytest.raises(ValueError, match=message):
        ImageSet(torch.zeros(4, 1, 2, 2, dtype=torch.uint8), labels=torch.tensor(labels), classes=classes)


def test_unlabelled_data_has_no_labels_to_give():
    with pytest.raises(ValueError, match="has no labels"):
        ImageSet(torch.zeros(2, 1, 2, 2, dtype=torch.uint8), "plain").labels_at(torch.tensor([0]))
