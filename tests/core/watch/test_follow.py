"""Reading stats.jsonl while it is written: whole lines only, bad lines counted, a trim noticed."""

from __future__ import annotations

import json

from ganvas.watch.follow import read_from


def _line(step: int) -> str:
    return json.dumps({"step": step, "Loss/D": 0.5}) + "\n"


def test_a_half_written_last_line_waits_for_the_next_read(tmp_path):
    path = tmp_path / "stats.jsonl"
    path.write_text(_line(5) + _line(10) + '{"step": 15, "Lo')
    first = read_from(path)
    assert [line["step"] for line in first.lines] == [5, 10] and first.skipped == 0
    with path.open("a") as handle:
        handle.write('ss/D": 0.4}\n' + _line(20))
    second = read_from(path, first.offset)
    assert [line["step"] for line in second.lines] == [15, 20] and not second.reset
    assert read_from(path, second.offset).lines == []


def test_a_corrupt_line_in_the_middle_is_skipped_and_counted(tmp_path):
    path = tmp_path / "stats.jsonl"
    path.write_text(_line(5) + "not json at all\n" + "[1, 2]\n" + _line(10))
    chunk = read_from(path)
    assert [line["step"] for line in chunk.lines] == [5, 10] and chunk.skipped == 2


def test_a_file_that_shrank_is_read_again_from_the_start(tmp_path):
    path = tmp_path / "stats.jsonl"
    path.write_text(_line(5) + _line(10) + _line(15))
    offset = read_from(path).offset
    path.write_text(_line(5))  # a resume trimmed it to its checkpoint
    chunk = read_from(path, offset)
    assert chunk.reset and [line["step"] for line in chunk.lines] == [5]


def test_a_missing_file_is_no_lines(tmp_path):
    chunk = read_from(tmp_path / "nope.jsonl")
    assert chunk.lines == [] and chunk.offset == 0
