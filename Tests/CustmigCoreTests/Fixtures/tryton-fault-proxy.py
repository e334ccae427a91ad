"""A fault-injecting HTTP proxy on loopback between custmig and a real trytond (the fault tests).

    python3 tryton-fault-proxy.py UPSTREAM_PORT CONTROL_FILE PORT_FILE

It writes the port it listens on to PORT_FILE. Before each request it reads CONTROL_FILE, a
comma-separated script of STEP:COUNT (COUNT a number or *), run in order and then passing everything;
a script starting with "cycle " repeats. Steps:

    pass    forward the request and relay the answer
    503     answer 503 Service Unavailable without forwarding
    429     answer 429 Too Many Requests (Retry-After: 1) without forwarding
    reset   close the connection without forwarding (the call never reached the server)
    lost    forward the request, let the server do it, then close the connection without the answer
            (a call whose outcome custmig cannot know)

Writing a new script to CONTROL_FILE restarts it. Counts of what was done go to CONTROL_FILE.log,
one line per request.
"""
import http.client
import http.server
import os
import socket
import sys
import threading

upstream_port = int(sys.argv[1])
control_file = sys.argv[2]
port_file = sys.argv[3]
lock = threading.Lock()
state = {"script": None, "steps": [], "cycle": False, "position": 0, "used": 0}


def next_step():
    with lock:
        try:
            with open(control_file) as handle:
                script = handle.read().strip()
        except FileNotFoundError:
            script = ""
        if script != state["script"]:
            cycle = script.startswith("cycle ")
            body = script[len("cycle "):] if cycle else script
            steps = []
            for part in filter(None, (p.strip() for p in body.split(","))):
                name, _, count = part.partition(":")
                steps.append((name, None if count in ("", "*") else int(count)))
            state.update(script=script, steps=steps, cycle=cycle, position=0, used=0)
        steps = state["steps"]
        while state["position"] < len(steps):
            name, count = steps[state["position"]]
            if count is None or state["used"] < count:
                state["used"] += 1
                return name
            state["position"] += 1
            state["used"] = 0
            if state["position"] == len(steps) and state["cycle"]:
                state["position"] = 0
        return "pass"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if len(body) != length:
            # The client gave up mid-request: forwarding the part would leave the server waiting.
            self.close_connection = True
            return
        step = next_step()
        with open(control_file + ".log", "a") as log:
            log.write(step + "\n")
        if step in ("503", "429"):
            text = b"fault injected by the test proxy"
            self.send_response(int(step))
            if step == "429":
                self.send_header("Retry-After", "1")
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)
            return
        if step == "reset":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        connection = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "content-length")}
        try:
            connection.request("POST", self.path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
        except OSError:
            # The server is down: as a load balancer would say it.
            self.send_response(502)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        finally:
            connection.close()
        if step == "lost":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def exit_with_parent(parent):
    """The test that started the proxy may be killed: the proxy does not outlive it."""
    import time
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as handle:
    handle.write(str(server.server_address[1]))
os.replace(port_file + ".tmp", port_file)
server.serve_forever()
