"""moto's AWS stand-in served by waitress instead of werkzeug's development server.

werkzeug's server answers every request with `Connection: close`, so each AWS call of a
function paid a new TCP connection and a new server thread (two per image upload, 2.5-3.3 ms a
call). boto3 keeps its connections open against AWS, and waitress keeps them open here: the
local stack then costs what the code's calls cost. Same app, same state, same routes as
`python -m moto.server` (the Docker stack's motoserver image still runs that).

    python -m lego_devstack.moto_server -H 127.0.0.1 -p 5000
"""

from __future__ import annotations

import argparse
import os
import signal
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lego_devstack.moto_server")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=8, help="requests served at once")
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_PORT", str(args.port))  # moto builds some URLs from it

    import waitress
    from moto import backends
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    # moto lists its own package directory on every request to find the service (about 150
    # stat calls, a fifth of a put's server time); the installed package does not change while
    # the server runs.
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    waitress.serve(
        app,
        host=args.host,
        port=args.port,
        threads=args.threads,
        connection_limit=1000,  # every container keeps its connections open
        channel_timeout=300,  # idle keep-alive connections close after 5 minutes
        ident="moto",
        _quiet=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
