"""`python -m functions.local_api [--host H] [--port P]`: serve the API locally."""

import argparse
import logging
import os

from functions.local_api.server import make_server, prepare_environment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3001")))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    prepare_environment()
    server = make_server(args.host, args.port)
    logging.getLogger("local_api").info(
        "serving http://%s:%d (contract at /openapi.json, poetry provider %s)",
        args.host,
        server.server_address[1],
        os.environ.get("POETRY_PROVIDER", "offline"),
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
