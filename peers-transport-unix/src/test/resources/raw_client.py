"""A minimal non-JVM peers client for tests: connects to a Unix socket, sends the given lines, and
prints one answer per line; after a refusal (an error without an id) it reads to the end and prints 'eof'."""
import json
import socket
import sys

path = sys.argv[1]
requests = sys.argv[2:]
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
try:
    s.connect(path)
except OSError as e:
    print("connect_failed " + type(e).__name__ + " " + str(e))
    sys.exit(3)
print("connected")
f = s.makefile("rb")
try:
    for line in requests:
        s.sendall(line.encode() + b"\n")
        answer = f.readline()
        if not answer:
            break
        print(answer.decode().strip())
        # an error without an id refuses the whole connection: read on to its end
        if json.loads(answer).get("id") is None:
            while True:
                answer = f.readline()
                if not answer:
                    break
                print(answer.decode().strip())
            print("eof")
            sys.exit(0)
    print("done")
except socket.timeout:
    print("open")
except OSError as e:
    print("eof " + type(e).__name__)
