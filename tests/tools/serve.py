#!/usr/bin/env python3
"""Serves a directory over HTTP on 127.0.0.1, as a stand-in for a release server in tests.

  serve.py DIR

Prints the port it listens on (chosen by the system, so parallel tests never collide) as the
first line of standard output, then serves until killed. Requests are not logged.
"""
import functools
import http.server
import sys


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    handler = functools.partial(Quiet, directory=sys.argv[1])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
