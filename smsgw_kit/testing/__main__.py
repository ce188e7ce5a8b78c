"""Run the provider emulator standalone: `python -m smsgw_kit.testing [--port N] [--tls] [--tls-port N]
[--latency SECONDS]`."""

from __future__ import annotations

import argparse
import contextlib
import json
import threading

from .credentials import PATHS
from .emulator import ProviderEmulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m smsgw_kit.testing", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="HTTP port (0: any free port)")
    parser.add_argument("--tls", action="store_true", help="also serve HTTPS with a test CA")
    parser.add_argument("--tls-port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to wait before each answer")
    args = parser.parse_args(argv)
    with ProviderEmulator(host=args.host, port=args.port, tls=args.tls, tls_port=args.tls_port) as emu:
        if args.latency:
            emu.inject(latency=args.latency)
        print(f"smsgw_kit provider emulator on {emu.base_url}" + (f" and {emu.tls_base_url}" if emu.tls else ""))
        if emu.ca_bundle_path:
            print(f"CA bundle: {emu.ca_bundle_path}")
        for name in PATHS:
            print(f"{name}: {json.dumps(emu.account_settings(name))}")
        print("Ctrl-C to stop.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
