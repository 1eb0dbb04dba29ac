"""``ganvas animate``: (being written)."""

COMMANDS: tuple = ()
