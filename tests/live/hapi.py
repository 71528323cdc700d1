"""Sends one command to HAProxy's runtime API on a Unix socket and prints
the answer: the tests' stand-in for socat.

    python3 tests/live/hapi.py SOCKET "show stat"
"""
import socket
import sys


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: hapi.py SOCKET COMMAND\n")
        return 2
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(sys.argv[1])
    s.sendall((sys.argv[2] + "\n").encode())
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
    s.close()
    sys.stdout.write(out.decode())
    # HAProxy answers a failed command with a message; success is empty
    # for "set" commands
    if sys.argv[2].startswith("set ") and out.strip():
        return 1
    return 0


sys.exit(main())
