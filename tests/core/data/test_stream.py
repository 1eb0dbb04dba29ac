"""Tests for ganvas.data.stream: a folder's disk cache served like the in-memory set (batches,
labels, read-ahead workers in the sampler's exact order) and trained on through the CLI."""

import logging

import pytest
import tomli_w
import torch
from PIL import Image

from ganvas.data import BatchFeed, DiskImageSet, EpochSampler, ImageSet, cache_root
from ganvas.plugin.testing import tiny_recipe
from ganvas.plugins.datasets import folder


@pytest.fixture(autouse=True)
def _cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("GANVAS_CACHE_DIR", str(tmp_path / "cache"))


def _pictures(root, count, size=12, start=0):
    generator = torch.Generator().manual_seed(start)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        pixels = torch.randint(0, 256, (size, size + 4, 3), dtype=torch.uint8, generator=generator)
        Image.fromarray(pixels.numpy()).save(root / f"{i:03d}.png")


@pytest.fixture
def pictures(tmp_path):
    _pictures(tmp_path / "pics", 10)
    return tmp_path / "pics"


def _both(path, **kw):
    args = {"size": 8, "channels": 3, "limit": 0, **kw}
    return folder.load(str(path), cache="memory", **args), folder.load(str(path), cache="disk", **args)


def test_disk_set_serves_the_same_batches_as_the_memory_set(pictures):
    memory, disk = _both(pictures)
    assert isinstance(disk, DiskImageSet) and type(memory) is ImageSet
    assert len(disk) == len(memory) == 10 and disk.shape == memory.shape == (3, 8, 8)
    index = torch.tensor([3, 0, 1, 2, 9, 5, -1, 3])
    assert torch.equal(disk.batch(index), memory.batch(index))
    assert torch.equal(disk.data, memory.data)  # the mapped file, for code that indexes items directly
    assert disk.to(torch.device("cpu")) is disk and disk.batch(index).device.type == "cpu"
    assert not disk.labeled and disk.class_counts() == {}
    with pytest.raises(IndexError):
        disk.batch(torch.tensor([10]))


def test_reads_reuse_one_buffer(pictures):
    _, disk = _both(pictures)
    first = disk.read(torch.tensor([1, 2]))
    second = disk.read(torch.tensor([4]))
    assert first.data_ptr() == second.data_ptr()  # no allocation per batch: memory stays flat
    assert disk.batch(torch.tensor([1])).data_ptr() != first.data_ptr()  # batches are fresh tensors


def test_auto_keeps_small_folders_in_memory_and_large_ones_on_disk(pictures, monkeypatch):
    assert type(folder.load(str(pictures), size=8, channels=3, limit=0)) is ImageSet
    monkeypatch.setattr(folder, "AUTO_DISK_BYTES", 1000)
    assert isinstance(folder.load(str(pictures), size=8, channels=3, limit=0), DiskImageSet)
    assert isinstance(folder.load(str(pictures), size=8, channels=3, limit=0, cache="memory"), ImageSet)


def test_folder_cache_is_decoded_once_and_rebuilt_when_files_or_size_change(pictures, monkeypatch):
    calls = []
    decode = folder.decode
    monkeypatch.setattr(folder, "decode", lambda *a: calls.append(a[0]) or decode(*a))
    folder.load(str(pictures), size=8, channels=3, limit=0, cache="disk")
    assert len(calls) == 10
    folder.load(str(pictures), size=8, channels=3, limit=0, cache="disk")
    assert len(calls) == 10  # reused: nothing decoded
    _pictures(pictures, 1, start=10)
    assert len(folder.load(str(pictures), size=8, channels=3, limit=0, cache="disk")) == 11
    assert len(calls) == 21
    folder.load(str(pictures), size=6, channels=3, limit=0, cache="disk")
    assert len(calls) == 32
    assert len(list((cache_root() / "folders").iterdir())) == 2  # one cache per training size


def test_corrupt_files_are_skipped_and_counted_as_in_memory(pictures, caplog):
    (pictures / "bad1.png").write_bytes(b"not a png at all")
    (pictures / "bad2.jpg").write_bytes(b"\xff\xd8\xff garbage")
    for _ in range(2):  # built, then reused: the same warning both times
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="ganvas"):
            data = folder.load(str(pictures), size=8, channels=3, limit=0, cache="disk")
        assert len(data) == 10
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "skipped 2 unreadable image file(s)" in warnings[0] and "bad1.png" in warnings[0]


def test_subfolder_classes_are_carried(tmp_path):
    _pictures(tmp_path / "pics" / "cats", 2)
    _pictures(tmp_path / "pics" / "dogs", 3, start=5)
    memory, disk = _both(tmp_path / "pics", classes="subfolders")
    assert disk.classes == ("cats", "dogs") and disk.labels.tolist() == [0, 0, 1, 1, 1]
    assert disk.class_counts() == memory.class_counts() == {"cats": 2, "dogs": 3}
    assert disk.labels_at(torch.tensor([4, 0])).tolist() == [1, 0]


def test_limit_and_unreadable_only_folders(tmp_path, pictures):
    assert len(folder.load(str(pictures), size=8, channels=3, limit=4, cache="disk")) == 4
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "bad.png").write_bytes(b"nope")
    with pytest.raises(folder.UserInputError, match="none of its 1 image files could be read"):
        folder.load(str(tmp_path / "broken"), size=8, channels=3, limit=0, cache="disk")
    with pytest.raises(folder.UserInputError, match="data.cache"):
        folder.load(str(pictures), size=8, channels=3, limit=0, cache="ssd")


@pytest.mark.parametrize("workers", [0, 2])
def test_feed_gives_the_samplers_batches_in_order_and_survives_a_reload(pictures, workers):
    memory, disk = _both(pictures)
    rng = torch.get_rng_state()
    feed_sampler, plain = EpochSampler(len(disk), 3), EpochSampler(len(disk), 3)
    with BatchFeed(disk, feed_sampler, 4, workers=workers) as feed:
        for _ in range(6):  # epochs of 10 in batches of 4: crosses epoch boundaries
            index, items = feed.next()
            expected = plain.next(4)
            assert torch.equal(index, expected) and torch.equal(items, memory.batch(expected))
        assert feed_sampler.position == plain.position  # read-ahead never ran the method's sampler ahead
        saved = EpochSampler(len(disk), 9)
        saved.next(7)
        feed_sampler.load_state_dict(saved.state_dict())  # a resume
        plain.load_state_dict(saved.state_dict())
        for _ in range(4):
            index, items = feed.next()
            expected = plain.next(4)
            assert torch.equal(index, expected) and torch.equal(items, memory.batch(expected))
        assert feed.restarts == (2 if workers else 0)
    assert torch.equal(torch.get_rng_state(), rng)  # the global RNG a checkpoint saves is untouched


@pytest.mark.parametrize("workers", [0, 2])
def test_feed_reads_only_the_shards_part_of_each_batch(pictures, workers):
    memory, disk = _both(pictures)
    sampler, plain = EpochSampler(len(disk), 1), EpochSampler(len(disk), 1)
    with BatchFeed(disk, sampler, 4, workers=workers, shard=lambda index: index[2:]) as feed:
        for _ in range(3):
            index, items = feed.next()
            expected = plain.next(4)
            assert torch.equal(index, expected) and torch.equal(items, memory.batch(expected[2:]))


def test_feed_over_an_in_memory_set_reads_each_batch(pictures):
    memory, _ = _both(pictures)
    sampler, plain = EpochSampler(len(memory), 0), EpochSampler(len(memory), 0)
    index, items = BatchFeed(memory, sampler, 3).next()
    assert torch.equal(index, plain.next(3)) and torch.equal(items, memory.batch(index))


def test_gan_trains_on_a_disk_cached_folder_through_the_cli_as_on_memory(cli, tmp_path, pictures):
    import json

    recipe = tmp_path / "disk.toml"
    raw = tiny_recipe(train={"steps": 2, "sample_every": 2, "checkpoint_every": 2, "log_every": 1})
    raw["data"] = {"source": f"folder:{pictures}", "size": 16, "cache": "disk"}
    recipe.write_text(tomli_w.dumps(raw))
    cli("train", str(recipe))
    cli("train", str(recipe), "--set", "data.cache=memory")
    assert list((cache_root() / "folders").glob("*/manifest.json"))  # the disk run trained from the cache
    runs = sorted((tmp_path / "runs").iterdir())
    assert [len(list(run.glob("checkpoints/step-0000002.pt"))) for run in runs] == [1, 1]
    losses = [
        [
            {k: v for k, v in json.loads(line).items() if k.startswith("Loss/")}
            for line in run.joinpath("stats.jsonl").open()
        ]
        for run in runs
    ]
    assert losses[0] == losses[1] and losses[0][0]  # the same batches: the same training
    bad = cli("train", str(recipe), "--set", "data.cache=ssd", code=2)
    errors = [line for line in bad.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "data.cache: expected one of 'auto', 'memory', 'disk'" in errors[0]
