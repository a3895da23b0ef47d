"""`python -m functions.local_api [--host H] [--port P] [--env E]`: serve the API locally.

The default host, `localhost`, listens on both loopback addresses, 127.0.0.1 and ::1, since
Node 17+ and Vite's proxy resolve `localhost` to ::1 first. Any other HOST is used alone."""

import argparse
import logging
import os
import threading

from functions.local_api.server import Gateway, make_servers, prepare_environment
from functions.local_api.settings import LOCAL_CONCURRENCY


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default=os.environ.get("HOST") or "localhost")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or "3001"))
    parser.add_argument(
        "--env",
        default=None,
        help="mirror this environment's reserved concurrency (terraform/environments/<env>.tfvars)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    prepare_environment()
    servers = make_servers(args.host, args.port, Gateway(environment=args.env or None))
    port = servers[0].server_address[1]
    addresses = " and ".join(str(s.server_address[0]) for s in servers)
    logging.getLogger("local_api").info(
        "serving http://%s:%d on %s (contract at /openapi.json, poetry provider %s, concurrency %s)",
        args.host if ":" not in args.host else f"[{args.host}]",
        port,
        addresses,
        os.environ.get("POETRY_PROVIDER", "offline"),
        f"as in {args.env}" if args.env else f"{LOCAL_CONCURRENCY} environments per function",
    )
    for extra in servers[1:]:
        threading.Thread(target=extra.serve_forever, daemon=True).start()
    try:
        servers[0].serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            server.server_close()


if __name__ == "__main__":
    main()
