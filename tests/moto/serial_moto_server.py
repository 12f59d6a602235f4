"""moto_server, with requests applied one at a time.

moto's DynamoDB backend takes no locks, and moto_server serves requests on threads, so two
concurrent conditional writes can both pass their condition and both "succeed". Real DynamoDB
applies each conditional write and each transaction atomically. Serialising requests restores
that guarantee, so the conformance suite's concurrency checks test the adapter, not moto's
races.

usage: python serial_moto_server.py HOST PORT   (with moto[server] importable)
"""
import os
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serial(environ, start_response):
        with lock:
            return list(app(environ, start_response))

    run_simple(host, port, serial, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
