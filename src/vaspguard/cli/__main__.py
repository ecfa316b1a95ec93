"""``python -m vaspguard.cli``: the same as the ``vaspguard`` command."""

from vaspguard.cli import main

main()
