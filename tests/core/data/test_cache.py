"""Tests for ganvas.data.cache: built once, reused, rebuilt on change, never left half-built."""

import json
import logging

import pytest
import torch

from ganvas.data import cache_dir, cache_root, cached_items, files_fingerprint
from ganvas.errors import GanvasError

SHAPE = (1, 2, 2)


@pytest.fixture(autouse=True)
def _cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("GANVAS_CACHE_DIR", str(tmp_path / "cache"))


def _sources(folder, values):
    folder.mkdir(exist_ok=True)
    paths = []
    for i, value in enumerate(values):
        path = folder / f"{i:02d}.txt"
        path.write_text(str(value))
        paths.append(path)
    return paths


class Decoder:
    """Items filled with the file's number; 'bad' raises ValueError; counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, path):
        self.calls += 1
        text = path.read_text()
        if text == "bad":
            raise ValueError("unreadable")
        return torch.full(SHAPE, int(text), dtype=torch.uint8)


def _load(folder, paths, decode, **kw):
    settings = {"size": 2, **kw.pop("settings", {})}
    return cached_items(
        cache_dir("test", {"folder": str(folder), **settings}),
        paths,
        decode,
        SHAPE,
        fingerprint=files_fingerprint(folder, paths, settings),
        skip=(ValueError,),
        **kw,
    )


def _items(cache):
    return torch.frombuffer(bytearray(cache.items_path.read_bytes()), dtype=torch.uint8).view(-1, *SHAPE)


def test_cache_root_follows_the_environment(tmp_path, monkeypatch):
    assert cache_root() == tmp_path / "cache"
    monkeypatch.delenv("GANVAS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "ganvas"
    assert cache_dir("folders", {"a": 1}) != cache_dir("folders", {"a": 2})


def test_built_once_then_reused_without_decoding(tmp_path, caplog):
    paths = _sources(tmp_path / "src", [5, 7, 9])
    decode = Decoder()
    with caplog.at_level(logging.INFO, logger="ganvas"):
        first = _load(tmp_path / "src", paths, decode)
    assert decode.calls == 3 and first.count == 3 and first.skipped == 0
    assert _items(first)[:, 0, 0, 0].tolist() == [5, 7, 9]
    assert any("caching" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="ganvas"):
        again = _load(tmp_path / "src", paths, decode)
    assert decode.calls == 3 and again == first and not caplog.records  # reused silently
    assert not [p for p in first.directory.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_rebuilt_when_a_file_is_added_or_changed_or_a_setting_changes(tmp_path, caplog):
    src = tmp_path / "src"
    paths = _sources(src, [1, 2])
    decode = Decoder()
    _load(src, paths, decode)
    paths = _sources(src, [1, 2, 3])  # added
    with caplog.at_level(logging.INFO, logger="ganvas"):
        assert _load(src, paths, decode).count == 3 and decode.calls == 5
    assert any("changed since its cache was built" in r.getMessage() for r in caplog.records)
    paths[0].write_text("40")  # rewritten: another size
    assert _items(_load(src, paths, decode))[0, 0, 0, 0] == 40 and decode.calls == 8
    _load(src, paths, decode, settings={"size": 3})  # another setting: its own cache
    assert decode.calls == 11
    _load(src, paths, decode)
    assert decode.calls == 11  # the first one is still there


def test_an_interrupted_build_leaves_no_cache(tmp_path):
    paths = _sources(tmp_path / "src", [1, 2, 3])
    decode = Decoder()

    def interrupted(path):
        if decode.calls == 2:
            raise KeyboardInterrupt
        return decode(path)

    with pytest.raises(KeyboardInterrupt):
        _load(tmp_path / "src", paths, interrupted)
    directory = cache_dir("test", {"folder": str(tmp_path / "src"), "size": 2})
    assert list(directory.iterdir()) == []  # neither items nor a manifest nor a temporary file
    assert _load(tmp_path / "src", paths, decode).count == 3


def test_a_cache_whose_items_file_is_cut_short_is_rebuilt(tmp_path):
    paths = _sources(tmp_path / "src", [1, 2])
    decode = Decoder()
    cache = _load(tmp_path / "src", paths, decode)
    cache.items_path.write_bytes(cache.items_path.read_bytes()[:-1])
    assert _load(tmp_path / "src", paths, decode).count == 2 and decode.calls == 4


def test_unreadable_sources_are_skipped_counted_and_remembered(tmp_path):
    paths = _sources(tmp_path / "src", [1, "bad", 3, "bad"])
    decode = Decoder()
    cache = _load(tmp_path / "src", paths, decode, labels=[0, 0, 1, 1])
    assert cache.count == 2 and cache.skipped == 2 and cache.skipped_names == ("01.txt", "03.txt")
    assert cache.labels.tolist() == [0, 1]
    again = _load(tmp_path / "src", paths, decode, labels=[0, 0, 1, 1])
    assert decode.calls == 4 and again.skipped == 2 and again.labels.tolist() == [0, 1]
    manifest = json.loads((cache.directory / "manifest.json").read_text())
    assert manifest["labels"] == [[0, 1], [1, 1]]  # runs: a folder's classes come in order


def test_limit_stops_after_that_many_items(tmp_path):
    paths = _sources(tmp_path / "src", ["bad", 1, 2, 3])
    assert _load(tmp_path / "src", paths, Decoder(), limit=2, settings={"limit": 2}).count == 2


def test_a_decoder_giving_the_wrong_shape_is_an_error(tmp_path):
    paths = _sources(tmp_path / "src", [1])
    with pytest.raises(GanvasError, match="decoded to"):
        _load(tmp_path / "src", paths, lambda path: torch.zeros(3, 2, 2, dtype=torch.uint8))


def test_an_unwritable_cache_folder_is_a_one_line_error(tmp_path, monkeypatch):
    paths = _sources(tmp_path / "src", [1])
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("GANVAS_CACHE_DIR", str(tmp_path / "file"))
    with pytest.raises(GanvasError, match="cannot write the cache.*GANVAS_CACHE_DIR"):
        _load(tmp_path / "src", paths, Decoder())
