#!/usr/bin/env python3
"""Uploads over simulated links: attache, curl and a keep-alive loop through bench/linksim.py.

Runs in a network namespace of its own (it re-executes itself under `unshare -n`, so it needs
root): `lo` up with MTU 1500, net.ipv4.tcp_wmem capped. There it starts `attache serve`, puts
the link relay of linksim.py in front of it (a port for Graph and, when `attache serve` can
put upload URLs on an origin of their own, a port for those) and, for each link profile,
first measures the relay's RTT and rate (it refuses to go on when either is off by more than
--tolerance), then uploads each file, in turn, with

- attache: `attache upload FILE --message ID --graph RELAY/v1.0 --token … --json`;
- curl, as bench/run.py does it: one curl creates the session, one more sends every range
  over one connection (`--next`);
- a keep-alive loop: Python's http.client, createUploadSession then every PUT of 3932160
  bytes over one persistent connection, and nothing else.

Clients talk to the relay only. Every upload is checked by the attachment's SHA-256 (straight
from the emulator, outside the timing) and deleted. The table gives each tool's median wall
time and its ratio to the ideal, `size * 8 / rate + (PUTs + 1) * RTT`. On the 30 ms / 2 Mbit
link, attache also runs once under a pty (`script`), its progress line is sampled with
timestamps, and the relay logs the replies to its PUTs as they pass: the table says how far
the shown progress ran ahead of the bytes the server had confirmed.

    sudo python3 bench/links.py                                    # everything (long: ~30 min)
    python3 bench/links.py --sizes 5MB --reps 1 --tools curl,keepalive
    python3 bench/links.py --check-only                            # the link checks only
"""

import argparse
import bisect
import collections
import ctypes
import http.server
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True   # no bench/__pycache__ from importing linksim and run
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import linksim  # noqa: E402
import run as bench  # noqa: E402  bench/run.py: make_file, split_file, curl_command, check_and_remove, machine

TOKEN = bench.TOKEN
CHUNK = bench.CHUNK
PROFILES = ["50/100", "20/20", "150/10", "30/2"]
SIZES = ["25MB", "150MB@50/100"]
TOOLS = ["attache", "curl", "keepalive"]
PROGRESS_PROFILE = "30/2"


# ---------------------------------------------------------------------------------------------
# Processes: every child dies with the driver, and is ended when it stops

CHILDREN = []


def _die_with_parent():
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG


def spawn(command, **options):
    """Popen in a session of its own (Ctrl-C reaches the driver, which ends the group)."""
    process = subprocess.Popen(command, preexec_fn=_die_with_parent, start_new_session=True, **options)
    CHILDREN.append(process)
    return process


def end(process, grace=5):
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
    if process in CHILDREN:
        CHILDREN.remove(process)


def end_all():
    for process in list(CHILDREN):
        end(process)


def _terminated(number, frame):
    raise KeyboardInterrupt(f"signal {number}")


# ---------------------------------------------------------------------------------------------
# The emulator

class Graph:
    """An origin of the emulator, with bench/run.py's request helpers."""
    request = bench.Emulator.request
    stats = bench.Emulator.stats

    def __init__(self, origin):
        self.origin = origin
        self.base = origin + "/v1.0"


def serve_options(attache):
    text = subprocess.run([attache, "serve", "--help"], capture_output=True, text=True, timeout=60).stdout
    return {option: option in text for option in ("--upload-origin", "--upload-port", "--public-origin", "--no-limits")}


class Emulator:
    def __init__(self, attache, workdir, extra):
        self.log = open(os.path.join(workdir, "emulator.log"), "w")
        self.command = [attache, "serve", "--port", "0", "--quiet", "--data-dir", os.path.join(workdir, "emulator"), *extra]
        self.process = spawn(self.command, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.lines = []
        self.arrived = threading.Condition()
        threading.Thread(target=self._drain, daemon=True).start()
        first = self.wait_line(lambda line: True, 60)
        match = re.match(r"listening on (http://\S+)", first or "")
        if not match:
            raise SystemExit(f"links: the emulator did not start: {first!r} (see {self.log.name})")
        self.direct = Graph(match.group(1))
        self.port = urllib.parse.urlsplit(self.direct.origin).port

    def _drain(self):
        for line in self.process.stdout:
            with self.arrived:
                self.lines.append(line.strip())
                self.arrived.notify_all()

    def wait_line(self, test, timeout):
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                for line in self.lines:
                    if test(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    return None
                self.arrived.wait(left)

    def stop(self):
        end(self.process, grace=30)
        self.log.close()


# ---------------------------------------------------------------------------------------------
# What the relay sees: the ranges sent and the replies to them

class Sniffer:
    """Set as relay.observer: follows the HTTP requests and replies of each connection, and
    keeps, with timestamps (time.monotonic), the bytes the server confirmed (a 2xx to a PUT
    of range A-B confirms B+1; NextExpectedRanges "N-" confirms N) and the bytes it received."""

    REQUEST = re.compile(rb"(GET|PUT|POST|DELETE|PATCH) \S+ HTTP/1\.[01]\r\n")
    RANGE = re.compile(rb"Content-Range: bytes (\d+)-(\d+)/(\d+)\r\n", re.I)
    STATUS = re.compile(rb"HTTP/1\.[01] (\d{3}) ")
    NEXT = re.compile(rb'"nextExpectedRanges"\s*:\s*\[\s*"(\d+)[-"]', re.I)

    def __init__(self):
        self.lock = threading.Lock()
        self.confirmed = [(0.0, 0)]      # (t, bytes), non-decreasing
        self.received = [(0.0, 0)]       # (t, bytes delivered to the server, headers included)
        self.replies = []                # (t, status, next expected or None)

    def _matches(self, patterns, buffer, skip):
        found = []
        for kind, pattern in patterns:
            for match in pattern.finditer(buffer):
                if match.end() > skip:
                    found.append((match.start(), kind, match))
        return sorted(found, key=lambda item: item[0])

    def read(self, connection, direction, t, data):
        state = connection.sniff
        pending = state.setdefault("pending", collections.deque())
        tail = state.get(direction, b"")
        buffer = tail + data
        if direction == "up":
            for _, kind, match in self._matches((("request", self.REQUEST), ("range", self.RANGE)), buffer, len(tail)):
                if kind == "request":
                    pending.append({"method": match.group(1).decode(), "end": None})
                elif pending:
                    pending[-1]["end"] = int(match.group(2)) + 1
        else:
            for _, kind, match in self._matches((("status", self.STATUS), ("next", self.NEXT)), buffer, len(tail)):
                with self.lock:
                    if kind == "status":
                        status = int(match.group(1))
                        request = pending.popleft() if pending else None
                        self.replies.append((t, status, None))
                        if request and request["method"] == "PUT" and request["end"] and 200 <= status < 300:
                            self._confirm(t, request["end"])
                    else:
                        value = int(match.group(1))
                        self.replies.append((t, None, value))
                        self._confirm(t, value)
        state[direction] = buffer[-256:]

    def _confirm(self, t, value):
        if value > self.confirmed[-1][1]:
            self.confirmed.append((t, value))

    def delivered(self, connection, direction, t, count):
        if direction == "up":
            with self.lock:
                self.received.append((t, self.received[-1][1] + count))

    @staticmethod
    def lookup(log):
        """A function of t: the value `log` had at time t."""
        times = [entry[0] for entry in log]
        return lambda t: log[max(bisect.bisect_right(times, t) - 1, 0)][1]


PROGRESS = re.compile(r"(\d+)%\s+([\d.]+) (B|KiB|MiB|GiB)/([\d.]+) (B|KiB|MiB|GiB)")
UNITS = {"B": 1, "KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def read_progress(stream, samples, text):
    """Reads a pty's output; each progress line becomes (t, percent, bytes shown)."""
    pending = ""
    while True:
        chunk = os.read(stream.fileno(), 65536)
        if not chunk:
            break
        t = time.monotonic()
        decoded = chunk.decode("utf-8", "replace")
        text.append(decoded)
        pending += decoded
        *lines, pending = re.split(r"\r?\n", pending)
        for line in lines:
            for match in PROGRESS.finditer(ANSI.sub("", line)):
                samples.append((t, int(match.group(1)), float(match.group(2)) * UNITS[match.group(3)]))


# ---------------------------------------------------------------------------------------------
# Helpers for the link checks and the runs

class SinkHandler(http.server.BaseHTTPRequestHandler):
    """A tiny HTTP/1.1 server for the curl check: GET answers empty, PUT swallows its body."""
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self):
        left = int(self.headers.get("Content-Length", "0"))
        while left > 0:
            block = self.rfile.read(min(left, 1 << 16))
            if not block:
                break
            left -= len(block)
        self.do_GET()

    def log_message(self, *arguments):
        pass


def curl_check(port, size, workdir, gets=6):
    """RTT and rate through the relay as curl sees them, against SinkHandler, all on one
    connection: `gets` GETs (the first pays the handshake; the median of the others is one
    RTT), then a PUT of `size` bytes (its time is size*8/rate + RTT)."""
    path = os.path.join(workdir, "curl-check.bin")
    with open(path, "wb") as out:
        out.write(os.urandom(size))
    url = f"http://127.0.0.1:{port}/"
    form = "%{time_total} %{num_connects}\\n"
    command = ["curl", "-sS", "--fail", "-o", "/dev/null", "-w", form, url + "0"]
    for index in range(1, gets):
        command += ["--next", "-sS", "--fail", "-o", "/dev/null", "-w", form, url + str(index)]
    command += ["--next", "-sS", "--fail", "-o", "/dev/null", "-w", form, "-H", "Expect:", "-T", path, url + "put"]
    process = spawn(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = process.communicate(timeout=600)
    CHILDREN.remove(process)
    os.remove(path)
    times = [float(line.split()[0]) for line in out.split("\n") if line.strip()]
    connects = [int(line.split()[1]) for line in out.split("\n") if line.strip()]
    if process.returncode != 0 or len(times) != gets + 1 or sum(connects) != 1:
        raise SystemExit(f"links: the curl check failed: {err.strip() or out.strip()}")
    rtt = statistics.median(times[1:-1])
    return {"rtt_ms": rtt * 1000, "mbit": size * 8 / (times[-1] - rtt) / 1e6, "first_ms": times[0] * 1000}


def run_timed(command):
    """Wall seconds, exit status, the last line of stderr."""
    started = time.perf_counter()
    process = spawn(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = process.communicate()
    wall = time.perf_counter() - started
    CHILDREN.remove(process)
    reason = next((line.strip() for line in reversed(err.splitlines()) if line.strip()), "")
    return wall, process.returncode, reason


# The keep-alive loop, run as `python3 -c KEEPALIVE BASE ITEM FILE CHUNK TOKEN`: a program of
# its own with nothing to import but http.client, so that its start costs no more than Python's.
KEEPALIVE = r"""
import http.client, json, os, sys, urllib.parse
base, item, path, chunk, token = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
# createUploadSession, then every PUT over one persistent connection (the same one when the
# upload URL is on Graph's origin).
graph = urllib.parse.urlsplit(base)
connection = http.client.HTTPConnection(graph.hostname, graph.port, timeout=900)
size = os.path.getsize(path)
body = json.dumps({"AttachmentItem": {"attachmentType": "file", "name": os.path.basename(path), "size": size}})
connection.request("POST", f"{graph.path}/me/messages/{item}/attachments/createUploadSession", body,
                   {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
reply = connection.getresponse()
data = reply.read()
if reply.status != 201:
    sys.exit(f"createUploadSession: HTTP {reply.status} {data[:200]!r}")
upload = urllib.parse.urlsplit(json.loads(data)["uploadUrl"])
if (upload.hostname, upload.port) != (graph.hostname, graph.port):
    connection.close()
    connection = http.client.HTTPConnection(upload.hostname, upload.port, timeout=900)
target = upload.path + ("?" + upload.query if upload.query else "")
with open(path, "rb") as source:
    offset = 0
    while offset < size:
        block = source.read(chunk)
        last = offset + len(block) - 1
        connection.request("PUT", target, block, {
            "Content-Range": f"bytes {offset}-{last}/{size}", "Content-Type": "application/octet-stream"})
        reply = connection.getresponse()
        data = reply.read()
        expected = (201,) if last == size - 1 else (200, 202)
        if reply.status not in expected:
            sys.exit(f"PUT bytes {offset}-{last}: HTTP {reply.status} {data[:200]!r}")
        offset = last + 1
connection.close()
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parse_size(text):
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text}")
    unit = {"B": 1, None: 1, "KB": 1000, "MB": 1000 ** 2, "GB": 1000 ** 3, **UNITS}[match.group(2)]
    return int(float(match.group(1)) * unit)


def parse_profile(text):
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(?:ms)?/(\d+(?:\.\d+)?)(?:Mbit)?", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a profile RTT_MS/MBIT: {text}")
    return float(match.group(1)), float(match.group(2))


def label_of(profile):
    rtt, mbit = profile
    return f"{rtt:g} ms / {mbit:g} Mbit/s"


def size_label(size):
    return f"{size / 1e6:g} MB" if size % 1000 == 0 else f"{size / 2 ** 20:g} MiB"


def seconds(value):
    return "—" if value is None else f"{value:.1f} s"


def first_line(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "not found"


# ---------------------------------------------------------------------------------------------
# The benchmark

class Bench:
    def __init__(self, arguments, workdir):
        self.arguments = arguments
        self.workdir = workdir
        self.relay = None
        self.emulator = None
        self.checks = []
        self.results = []
        self.progress = []
        self.notes = []

    def start(self):
        arguments = self.arguments
        first = arguments.profiles[0]
        self.relay = linksim.LinkRelay(*first)
        self.graph_port, self.upload_port = self.relay.listen(2)
        self.check_port = linksim.start_check_server(self.relay)
        if arguments.check_only:
            return
        options = serve_options(arguments.attache)
        extra = []
        own_upload_port = None
        if options["--upload-origin"]:
            extra += ["--upload-origin", f"http://127.0.0.1:{self.upload_port}"]
            if options["--upload-port"]:
                # The namespace is ours alone: a port free now stays free.
                own_upload_port = free_port()
                extra += ["--upload-port", str(own_upload_port)]
        if options["--public-origin"]:
            extra += ["--public-origin", f"http://127.0.0.1:{self.graph_port}"]
        if options["--no-limits"]:
            extra += ["--no-limits"]
        self.serve_extra = extra
        self.emulator = Emulator(arguments.attache, self.workdir, extra)
        self.relay.set_upstream(0, "127.0.0.1", self.emulator.port)
        upstream_upload = self.emulator.port
        if own_upload_port is not None:
            upstream_upload = own_upload_port
            self.notes.append(f"upload URLs on an origin of their own (`--upload-port {own_upload_port}`), "
                              "fronted by the relay's second port (`--upload-origin`)")
        elif options["--upload-origin"]:
            line = self.emulator.wait_line(lambda line: re.search(
                r"upload\w*\W+http://[^\s:/]+:(?!%d\b)\d+" % self.upload_port, line, re.I) is not None, 3)
            if line:
                upstream_upload = int(re.search(r"http://[^\s:/]+:(\d+)", line).group(1))
                self.notes.append(f"upload URLs on an origin of their own (`{line}`), fronted by the relay's second port")
            else:
                self.notes.append("`--upload-origin` given, but no line said where uploads listen: the relay's "
                                  "second port goes to the Graph port")
        else:
            self.notes.append("upload URLs on Graph's origin (no `--upload-origin`): the relay fronts the Graph port only")
        self.upload_upstream = upstream_upload
        self.relay.set_upstream(1, "127.0.0.1", upstream_upload)
        self.front = Graph(f"http://127.0.0.1:{self.graph_port}")
        self.item = json.loads(self.emulator.direct.request("GET", "/me/messages?$select=id&$top=1"))["value"][0]["id"]
        self.check_upload_url()

    def check_upload_url(self):
        """The upload URL a client gets through the relay must point at the relay."""
        reply = self.front.request("POST", f"/me/messages/{self.item}/attachments/createUploadSession",
                                   {"AttachmentItem": {"attachmentType": "file", "name": "probe.bin", "size": 4_000_000}})
        url = json.loads(reply)["uploadUrl"]
        port = urllib.parse.urlsplit(url).port
        request = urllib.request.Request(url, method="DELETE")
        try:
            urllib.request.urlopen(request).read()
        except Exception:
            pass
        if port not in (self.graph_port, self.upload_port):
            raise SystemExit(f"links: upload URLs bypass the relay: {url[:80]}")
        self.notes.append(f"upload URLs point at the relay's port {port} "
                          f"({'Graph' if port == self.graph_port else 'uploads'})")

    def stop(self):
        if self.relay is not None:
            self.relay.close()
        if self.emulator is not None:
            self.emulator.stop()

    def check(self, profile, attempts=3):
        """The relay's RTT and rate, measured through the Graph port before use; measured again
        (up to `attempts` times in all) when off, as a burst of load elsewhere can spoil one."""
        for attempt in range(attempts):
            if self.check_once(profile, last=attempt == attempts - 1):
                return

    def check_once(self, profile, last):
        rtt, mbit = profile
        self.relay.set_link(rtt, mbit)
        previous = self.relay.upstreams.get(0)
        self.relay.set_upstream(0, "127.0.0.1", self.check_port)
        try:
            measured = linksim.check_link(self.graph_port, mbit_hint=mbit)
        finally:
            if previous:
                self.relay.set_upstream(0, *previous)
        problems = linksim.check_problems(measured, rtt, mbit, self.arguments.tolerance)
        entry = {"profile": profile, **measured, "problems": problems}
        if self.arguments.curl_check:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SinkHandler)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self.relay.set_upstream(0, "127.0.0.1", server.server_address[1])
            try:
                size = int(min(5e6, max(2e6, mbit * 1e6 / 8)))
                entry["curl"] = curl_check(self.graph_port, size, self.workdir)
            finally:
                server.shutdown()
                server.server_close()
                if previous:
                    self.relay.set_upstream(0, *previous)
            curl = entry["curl"]
            problems += [f"curl: {p}" for p in linksim.check_problems(
                {"rtt_ms": curl["rtt_ms"], "up_mbit": curl["mbit"], "down_mbit": mbit}, rtt, mbit, self.arguments.tolerance)]
        if problems and not last:
            print(f"check {label_of(profile)}: off ({'; '.join(problems)}); measuring again", file=sys.stderr, flush=True)
            time.sleep(2)
            return False
        self.checks.append(entry)
        line = (f"check {label_of(profile)}: RTT {measured['rtt_ms']:.1f} ms, up {measured['up_mbit']:.2f}, "
                f"down {measured['down_mbit']:.2f} Mbit/s")
        if "curl" in entry:
            line += f"; curl: RTT {entry['curl']['rtt_ms']:.1f} ms, PUT {entry['curl']['mbit']:.2f} Mbit/s"
        print(line + (": OFF: " + "; ".join(problems) if problems else ": ok"), file=sys.stderr, flush=True)
        if problems and not self.arguments.force:
            raise SystemExit(f"links: the link {label_of(profile)} is not what was asked ({'; '.join(problems)}); "
                             "a busy machine? (--force runs anyway)")
        return True

    def commands(self, path, pieces):
        arguments = self.arguments
        state = os.path.join(self.workdir, "state")
        return {
            "attache": [arguments.attache, "upload", path, "--message", self.item, "--graph", self.front.base,
                        "--token", TOKEN, "--state-dir", state, "--chunk-size", str(CHUNK), "--json"],
            "curl": bench.curl_command(self.front, self.item, path, pieces, self.workdir),
            "keepalive": [sys.executable, "-S", "-c", KEEPALIVE, self.front.base, self.item, path, str(CHUNK), TOKEN],
            # Another build of attache, beside this one in the same run (--before).
            "attache-before": [arguments.before or arguments.attache, "upload", path, "--message", self.item, "--graph",
                               self.front.base, "--token", TOKEN, "--state-dir", state + "-before", "--chunk-size", str(CHUNK),
                               "--json"],
        }

    def measure(self, profile, size, path, sha256):
        rtt, mbit = profile
        pieces = bench.split_file(path, os.path.join(self.workdir, f"pieces-{size}"))
        puts = len(pieces)
        ideal = size * 8 / (mbit * 1e6) + (puts + 1) * rtt / 1000
        commands = {tool: command for tool, command in self.commands(path, pieces).items() if tool in self.arguments.tools}
        runs = {tool: [] for tool in commands}
        direct = self.emulator.direct
        for rep in range(self.arguments.reps):
            for tool, command in commands.items():
                before = direct.stats()
                wall, status, reason = run_timed(command)
                after = direct.stats()
                attached = bench.check_and_remove(direct, self.item, os.path.basename(path), sha256)
                outcome = "ok" if attached and status == 0 else (
                    f"attached, then exit {status}: {reason}" if attached else f"not attached (exit {status}): {reason}")
                runs[tool].append({"wall": wall, "outcome": outcome, "puts": after["putRequests"] - before["putRequests"]})
                print(f"  {label_of(profile):>18} {size_label(size):>7} {tool:<10} run {rep + 1}: {wall:7.2f} s "
                      f"(ideal {ideal:.2f}) {outcome[:100]}", file=sys.stderr, flush=True)
        shutil.rmtree(os.path.join(self.workdir, f"pieces-{size}"), ignore_errors=True)
        for tool, done in runs.items():
            walls = [r["wall"] for r in done]
            self.results.append({
                "profile": profile, "size": size, "tool": tool, "runs": len(done), "ideal": ideal, "puts": puts,
                "wall": (statistics.median(walls), min(walls), max(walls)),
                "server_puts": sorted({r["puts"] for r in done}), "outcomes": sorted({r["outcome"] for r in done})})

    def progress_run(self, profile, size, path, sha256):
        """attache under a pty: its progress line against what the server confirmed."""
        command = self.commands(path, [])["attache"]
        shell = "stty cols 200 rows 50 2>/dev/null; exec " + shlex.join(command)
        sniffer = Sniffer()
        samples, text = [], []
        self.relay.observer = sniffer
        started = time.monotonic()
        process = spawn(["script", "-q", "-e", "-c", shell, "/dev/null"],
                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        reader = threading.Thread(target=read_progress, args=(process.stdout, samples, text), daemon=True)
        reader.start()
        status = process.wait()
        reader.join(timeout=10)
        wall = time.monotonic() - started
        CHILDREN.remove(process)
        self.relay.observer = None
        attached = bench.check_and_remove(self.emulator.direct, self.item, os.path.basename(path), sha256)
        lead, at = 0.0, None
        lead_received = 0.0
        confirmed_at, received_at = Sniffer.lookup(sniffer.confirmed), Sniffer.lookup(sniffer.received)
        for t, percent, shown in samples:
            confirmed = confirmed_at(t)
            if shown - confirmed > lead:
                lead, at = shown - confirmed, (t - started, percent, shown, confirmed)
            lead_received = max(lead_received, shown - received_at(t))
        full_shown = next((t - started for t, percent, shown in samples if percent >= 100 or shown >= size), None)
        full_confirmed = next((t - started for t, value in sniffer.confirmed if value >= size), None)
        entry = {
            "profile": profile, "size": size, "status": status, "attached": attached, "wall": wall,
            "full_shown": full_shown, "full_confirmed": full_confirmed,
            "samples": len(samples), "confirmations": len(sniffer.confirmed) - 1, "lead": lead, "at": at,
            "lead_received": lead_received, "final_confirmed": sniffer.confirmed[-1][1],
            "timeline": {"started": started, "samples": samples, "confirmed": sniffer.confirmed[1:],
                         "replies": sniffer.replies},
        }
        if not samples:
            entry["output"] = "".join(text)[-500:]
        self.progress.append(entry)
        rate = profile[1] * 1e6 / 8
        print(f"  progress {label_of(profile)} {size_label(size)}: exit {status}, attached {attached}, "
              f"{len(samples)} samples, {entry['confirmations']} confirmations, shown ahead of confirmed by "
              f"{lead / 2 ** 20:.2f} MiB at most ({lead / rate:.1f} s of link)", file=sys.stderr, flush=True)

    def run(self):
        arguments = self.arguments
        files = {}
        for profile in arguments.profiles:
            self.check(profile)
            if arguments.check_only:
                continue
            for size in self.sizes_for(profile):
                if size not in files:
                    path = os.path.join(self.workdir, f"bench-{size}.bin")
                    files[size] = (path, bench.make_file(path, size, seed=size))
                path, sha256 = files[size]
                self.measure(profile, size, path, sha256)
                if "attache" in arguments.tools and profile == arguments.progress_profile and not arguments.no_progress:
                    self.progress_run(profile, size, path, sha256)

    def sizes_for(self, profile):
        return [size for size, only in self.arguments.sizes if only is None or only == profile]

    def report(self):
        arguments = self.arguments
        print("## Machine and versions\n")
        print(f"- machine: {bench.machine()}")
        print(f"- load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if not (arguments.check_only):
            print(f"- attache: {first_line([arguments.attache, '--version'])} ({arguments.attache})")
            print(f"- emulator: `attache serve --port 0 --quiet {' '.join(self.serve_extra)}`".replace("  ", " "))
        print(f"- curl: {first_line(['curl', '--version'])}")
        print(f"- python: {platform.python_version()}")
        print(f"- link: bench/linksim.py, a userspace relay: segments of {linksim.SEGMENT} bytes through a FIFO "
              f"paced at the rate (payload bytes), then RTT/2 of delay, each way; FIFO bound one BDP + 64 KiB; "
              f"one RTT charged for a new connection; no loss, no TLS")
        print(f"- {linksim.netns_description()}")
        for note in self.notes:
            print(f"- {note}")
        print("\n## The links, measured through the relay before use\n")
        header = "| link | RTT ms | up Mbit/s | down Mbit/s |"
        if arguments.curl_check:
            header += " curl RTT ms | curl PUT Mbit/s |"
        print(header)
        print("|" + "---|" * (header.count("|") - 1))
        for check in self.checks:
            row = (f"| {label_of(check['profile'])} | {check['rtt_ms']:.1f} | {check['up_mbit']:.2f} "
                   f"| {check['down_mbit']:.2f} |")
            if "curl" in check:
                row += f" {check['curl']['rtt_ms']:.1f} | {check['curl']['mbit']:.2f} |"
            print(row)
        if arguments.check_only:
            return
        print(f"\n## Uploads, {arguments.reps} run(s) per tool (median, min–max)\n")
        print("ideal = size × 8 / rate + (PUTs + 1) × RTT\n")
        print("| link | file | tool | wall s | ideal s | wall / ideal | PUTs (server) | outcome |")
        print("|---|---|---|---|---|---|---|---|")
        for r in self.results:
            median, low, high = r["wall"]
            print(f"| {label_of(r['profile'])} | {size_label(r['size'])} | {r['tool']} | {median:.2f} ({low:.2f}–{high:.2f}) "
                  f"| {r['ideal']:.2f} | {median / r['ideal']:.2f} | {r['puts']} ({'/'.join(map(str, r['server_puts']))}) "
                  f"| {'; '.join(r['outcomes'])} |")
        if self.progress:
            print("\n## attache's progress line against the bytes the server confirmed\n")
            print("Shown: the bytes on attache's progress line (stderr on a pty, 0.1 MiB steps), sampled as printed. "
                  "Confirmed: the relay saw the server's 2xx to a PUT (or its NextExpectedRanges) pass.\n")
            print("| link | file | samples | confirmations | most shown ahead of confirmed | when (s, shown %) "
                  "| most shown ahead of received by server | 100% shown at | all confirmed at | outcome |")
            print("|---|---|---|---|---|---|---|---|---|---|")
            for p in self.progress:
                rate = p["profile"][1] * 1e6 / 8
                when = f"{p['at'][0]:.1f} s, {p['at'][1]}%" if p["at"] else "—"
                outcome = "ok" if p["attached"] and p["status"] == 0 else f"exit {p['status']}, attached {p['attached']}"
                print(f"| {label_of(p['profile'])} | {size_label(p['size'])} | {p['samples']} | {p['confirmations']} "
                      f"| {p['lead'] / 2 ** 20:.2f} MiB ({p['lead'] / rate:.1f} s of link) | {when} "
                      f"| {p['lead_received'] / 2 ** 20:.2f} MiB | {seconds(p['full_shown'])} "
                      f"| {seconds(p['full_confirmed'])} | {outcome} |")
                if "output" in p:
                    print(f"\nno progress line was parsed; the pty's last output: {p['output']!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_attache = os.path.join(ROOT, ".build", "release", "attache")
    if not os.access(default_attache, os.X_OK):
        default_attache = os.path.join(ROOT, ".build", "debug", "attache")
    parser.add_argument("--attache", default=default_attache, help="the binary (default: the release build, else debug)")
    parser.add_argument("--profiles", nargs="+", default=PROFILES, metavar="RTT_MS/MBIT",
                        help=f"links (default: {' '.join(PROFILES)})")
    parser.add_argument("--sizes", nargs="+", default=SIZES, metavar="SIZE[@RTT_MS/MBIT]",
                        help=f"files, each for every link or only one (default: {' '.join(SIZES)})")
    parser.add_argument("--reps", type=int, default=3, help="runs per tool, size and link (default 3)")
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated (default: {','.join(TOOLS)})")
    parser.add_argument("--before", metavar="BINARY",
                        help="another attache build to run beside this one, as the tool attache-before (added to --tools)")
    parser.add_argument("--progress-profile", default=PROGRESS_PROFILE,
                        help=f"the link on which attache's progress is compared (default {PROGRESS_PROFILE})")
    parser.add_argument("--no-progress", action="store_true", help="skip the progress comparison")
    parser.add_argument("--save-progress", metavar="FILE", help="write the progress samples and confirmations as JSON")
    parser.add_argument("--tolerance", type=float, default=0.10, help="largest error of the measured link (default 0.10)")
    parser.add_argument("--force", action="store_true", help="go on when the link is off")
    parser.add_argument("--check-only", action="store_true", help="measure the links, upload nothing")
    parser.add_argument("--no-curl-check", dest="curl_check", action="store_false",
                        help="do not also measure the link with curl against a tiny HTTP server")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    arguments = parser.parse_args()
    arguments.profiles = [parse_profile(p) for p in arguments.profiles]
    sizes = []
    for text in arguments.sizes:
        size, _, only = text.partition("@")
        sizes.append((parse_size(size), parse_profile(only) if only else None))
    arguments.sizes = sizes
    arguments.tools = [t.strip() for t in arguments.tools.split(",") if t.strip()]
    if arguments.before and "attache-before" not in arguments.tools:
        arguments.tools.append("attache-before")
    unknown = set(arguments.tools) - set(TOOLS) - {"attache-before"}
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    arguments.progress_profile = parse_profile(arguments.progress_profile)
    arguments.attache = os.path.abspath(arguments.attache)
    if not arguments.check_only and not os.access(arguments.attache, os.X_OK):
        parser.error(f"no attache binary at {arguments.attache} (make release, or --attache PATH)")
    for tool in ("curl", "script", "ip"):
        if not shutil.which(tool):
            parser.error(f"{tool} is missing")

    linksim.enter_netns()        # re-executes under `unshare -n`; returns in the namespace
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGHUP, _terminated)
    workdir = tempfile.mkdtemp(prefix="attache-links-")
    runner = Bench(arguments, workdir)
    try:
        runner.start()
        runner.run()
    except KeyboardInterrupt:
        print("\nlinks: interrupted; cleaning up", file=sys.stderr)
        raise SystemExit(130)
    finally:
        try:
            runner.stop()
        finally:
            end_all()
            if arguments.keep:
                print(f"links: work directory kept: {workdir}", file=sys.stderr)
            else:
                shutil.rmtree(workdir, ignore_errors=True)
    if arguments.save_progress and runner.progress:
        with open(arguments.save_progress, "w") as out:
            json.dump([{**p, "profile": list(p["profile"])} for p in runner.progress], out, indent=1)
    runner.report()


if __name__ == "__main__":
    main()
