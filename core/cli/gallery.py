"""``ganvas gallery``: (being written)."""

COMMANDS: tuple = ()
