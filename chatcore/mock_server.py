"""Run the built-in mock model as a real OpenAI-compatible HTTP server.

    python -m chatcore.mock_server --host 127.0.0.1 --port 8765 [--ttft S] [--chunk-delay S] [--keepalive]

Point any OpenAI client at ``http://HOST:PORT/v1`` with any API key. Scenarios and
faults are the same as in-process (see ``chatcore.mock.scenarios`` and
``chatcore.mock.faults``); ``GET /_mock/requests`` lists what arrived and whether the
client disconnected, ``POST /_mock/reset`` clears that list.
"""

from __future__ import annotations

import argparse
import sys

from chatcore.mock.options import MockOptions
from chatcore.mock.scenarios import SCENARIOS
from chatcore.mock.server import MockServer

DEFAULT_PORT = 8765


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chatcore.mock_server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--ttft", type=float, default=MockOptions.ttft, help="seconds before the first chunk")
    parser.add_argument("--chunk-delay", type=float, default=MockOptions.chunk_delay, help="seconds between chunks")
    parser.add_argument("--keepalive", action="store_true", help="send ': keep-alive' SSE comments")
    parser.add_argument("--scenario", default="auto", help="auto, fault:<spec>, or one of: " + ", ".join(SCENARIOS))
    parser.add_argument("--quiet", action="store_true", help="no per-request log lines")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="another name clients reach this server by (IP addresses and localhost always work; "
                             "any other Host header is refused, against DNS rebinding)")
    args = parser.parse_args(argv)
    if args.scenario != "auto" and not args.scenario.startswith("fault:") and args.scenario not in SCENARIOS:
        parser.error(f"unknown scenario {args.scenario!r}")
    options = MockOptions(scenario=args.scenario, ttft=args.ttft, chunk_delay=args.chunk_delay, keepalive=args.keepalive)
    server = MockServer(args.host, args.port, options, quiet=args.quiet, host_names=tuple(args.allow_host))
    server.start()
    sys.stderr.write(f"[mock] OpenAI-compatible mock at {server.url} (any API key; Ctrl-C to stop)\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
