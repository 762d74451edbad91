"""``python -m supplymind`` runs the CLI."""

from supplymind.cli import main

main()
