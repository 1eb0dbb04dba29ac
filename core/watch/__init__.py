"""Watching runs: their state and summaries (:mod:`.summary`), a stats reader that follows a
file still being written (:mod:`.follow`), the live page ``ganvas watch`` serves (:mod:`.server`)
and the static curves of ``ganvas plot`` (:mod:`.plot`)."""
