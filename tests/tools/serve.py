#!/usr/bin/env python3
"""Serves a directory over HTTP on 127.0.0.1, as a stand-in for a release server (or, with
`git update-server-info` run in bare repositories under it, a git server) in tests.

  serve.py DIR [--basic USER:PASSWORD]

With --basic, a request without that user and password (HTTP Basic) is answered 401, as a
private repository's server answers, so git asks its GIT_ASKPASS program. Prints the port it listens on (chosen by the system, so parallel tests never collide) as the
first line of standard output, then serves until killed. Requests are not logged.
"""
import argparse
import base64
import functools
import http.server


class Quiet(http.server.SimpleHTTPRequestHandler):
    credentials = None

    def log_message(self, *args):
        pass

    def send_head(self):
        want = self.credentials
        if want and self.headers.get("Authorization") != "Basic " + want:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return super().send_head()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--basic")
    a = ap.parse_args()
    if a.basic:
        Quiet.credentials = base64.b64encode(a.basic.encode()).decode()
    handler = functools.partial(Quiet, directory=a.dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
