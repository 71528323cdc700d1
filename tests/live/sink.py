"""A webhook receiver for the live-mode tests: listens on 127.0.0.1 (port 0:
any free one), prints "listening 127.0.0.1:PORT", appends each POST's body
as one line to FILE and answers 200; exits after SECONDS.

    python3 tests/live/sink.py FILE SECONDS
"""
import http.server
import sys
import threading


class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode()
        with open(sys.argv[1], "a") as f:
            f.write(body.replace("\n", " ") + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    srv = http.server.HTTPServer(("127.0.0.1", 0), Sink)
    print("listening 127.0.0.1:%d" % srv.server_address[1], flush=True)
    threading.Timer(float(sys.argv[2]), srv.shutdown).start()
    srv.serve_forever()


main()
