"""The glassgrad playground: train a network live in the browser, every number from the engine.

    glassgrad playground [--port N] [--no-browser]      (or: python -m nn.playground)

starts a local server on 127.0.0.1, prints the address with its per-run token, and opens the
page. Training runs on the server (`nn.MLP`, the `nn` losses and optimizers, the autograd engine)
in a background thread; the page polls for the state and draws what it receives. Click a neuron
to see its formula with the weights plugged in and its scalar graph in the interactive viewer.
See docs/playground.md.
"""

from __future__ import annotations

import argparse
import signal
import sys
import webbrowser
from collections.abc import Sequence
from typing import Any

from .config import DEFAULTS, ParameterError
from .server import PlaygroundServer
from .session import Playground


def start(port: int = 0, config: dict[str, Any] | None = None) -> PlaygroundServer:
    """A playground server on 127.0.0.1:`port` (0: a free port) serving from background threads;
    `.url` is the address to open, `.close()` stops it."""
    return PlaygroundServer(port, Playground(config)).start()


def build_parser() -> argparse.ArgumentParser:
    """The arguments of `glassgrad playground`."""
    parser = argparse.ArgumentParser(
        prog="glassgrad playground",
        description="Train a small network live in the browser on the glassgrad engine. "
        "The server listens on 127.0.0.1 only; every request needs the printed token.",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="the port on 127.0.0.1 (default: any free port)"
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="print the address but do not open a browser"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the playground until Ctrl-C (or SIGTERM); returns the exit status."""
    args = build_parser().parse_args(argv)
    if not 0 <= args.port <= 65535:
        print(
            f"glassgrad playground: error: --port must be 0 to 65535, got {args.port}",
            file=sys.stderr,
        )
        return 2
    try:
        server = PlaygroundServer(args.port, Playground(), verbose=args.verbose)
    except OSError as error:
        print(
            f"glassgrad playground: error: cannot listen on 127.0.0.1:{args.port}: "
            f"{error.strerror or error}",
            file=sys.stderr,
        )
        return 1
    server.playground.start()
    print(f"glassgrad playground: {server.url}  (Ctrl-C stops it)", flush=True)
    if not args.no_browser:
        webbrowser.open(server.url)

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.playground.close()
        server.server_close()
    print("glassgrad playground: stopped", flush=True)
    return 0


__all__ = [
    "DEFAULTS",
    "ParameterError",
    "Playground",
    "PlaygroundServer",
    "build_parser",
    "main",
    "start",
]
