"""`python3 -m smsgw_kit ...` runs the `smsgw` command."""

from .cli import main

main()
