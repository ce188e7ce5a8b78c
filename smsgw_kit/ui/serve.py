"""Serve the Admin Center as a web app with Voilà, needing nothing from the internet.

    python3 -m smsgw_kit.ui.serve [NOTEBOOK] [Voilà options, e.g. --no-browser --port=8866 --Voila.ip=0.0.0.0]

NOTEBOOK defaults to notebooks/admin_center.ipynb in the current folder. The page uses the `smsgw`
template shipped beside this module: Voilà's lab template without its CDN links.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "share"  # holds voila/templates/smsgw
TEMPLATE = "smsgw"
DEFAULT_NOTEBOOK = Path("notebooks") / "admin_center.ipynb"


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """`base` (default: this process's) with the template folder first on JUPYTER_PATH."""
    env = dict(os.environ if base is None else base)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(TEMPLATES), env.get("JUPYTER_PATH", "")]))
    return env


def command(argv: Sequence[str]) -> list[str]:
    """The voila command line for `argv` (a notebook path first, unless it starts with an option)."""
    args = list(argv)
    notebook = args.pop(0) if args and not args[0].startswith("-") else str(DEFAULT_NOTEBOOK)
    if not Path(notebook).is_file():
        raise SystemExit(f"No notebook at {notebook}: run this from the smsgw_kit checkout, or give the "
                         "path of admin_center.ipynb as the first argument.")
    return [sys.executable, "-m", "voila", notebook, f"--template={TEMPLATE}", *args]


def main(argv: Sequence[str] | None = None) -> int:
    cmd = command(sys.argv[1:] if argv is None else argv)
    try:
        return subprocess.call(cmd, env=environment())
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
