"""`ganvas list datasets SOURCE`: one data source built and summarised, with its class counts."""

import json

from PIL import Image


def test_a_labelled_source_lists_the_items_of_each_class(cli):
    out = cli("list", "datasets", "procedural:mixed", "--set", "count=12", "--set", "size=8").stdout
    assert "procedural:mixed: 12 items of 3x8x8" in out
    assert "6 classes: circles 2, mondrian 2, truchet 2, stripes 2, mountains 2, petals 2" in out


def test_a_folder_of_class_subfolders_counts_each(cli, tmp_path):
    for name, count in (("cats", 2), ("dogs", 3)):
        (tmp_path / name).mkdir()
        for i in range(count):
            Image.new("RGB", (10, 10), (i * 40, 0, 0)).save(tmp_path / name / f"{i}.png")
    given = ("list", "datasets", f"folder:{tmp_path}", "--set", "size=8")
    summary = json.loads(cli(*given, "--set", "classes=subfolders", "--json").stdout)
    assert summary["items"] == 5 and summary["shape"] == [3, 8, 8] and summary["classes"] == {"cats": 2, "dogs": 3}
    assert "no labels" in cli(*given).stdout


def test_a_bad_source_or_parameter_is_one_line_and_exit_2(cli, tmp_path):
    out = cli("list", "datasets", "procedural:mixed", "--set", "colour=3", code=2).output
    assert "unknown parameter of dataset 'procedural'" in out and "count" in out and "Traceback" not in out
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "a").mkdir()
    out = cli("list", "datasets", f"folder:{tmp_path / 'empty'}", "--set", "classes=subfolders", code=2).output
    assert "sub-folder(s) 'a' hold no images" in out
    assert "go with KIND 'datasets'" in cli("list", "losses", "procedural:mixed", code=2).output
