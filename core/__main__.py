"""``python -m ganvas`` runs the command line."""

from ganvas.cli import main

main()
