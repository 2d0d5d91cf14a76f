#!/usr/bin/env python3
"""A link simulator in user space: a TCP relay that gives a round-trip time and a rate.

For every connection accepted on one of its listen ports, the relay opens one to that port's
upstream and carries bytes both ways. Each direction is a link of its own, shared by every
connection of the relay (as one access link carries all of a client's connections):

- what is read from a side is cut into segments of at most 1448 bytes (a TCP segment's
  payload on a 1500-byte MTU);
- each segment goes through a FIFO paced at the rate: it leaves no earlier than the previous
  segment plus its serialization time, `len * 8 / rate`;
- it is delivered to the other side RTT/2 after it left (propagation);
- reading stops while the FIFO holds more than its bound (by default one bandwidth-delay
  product plus 64 KiB, like a router's buffer), so a sender meets a slow link and not an
  endless buffer. The relay's own sockets have a small receive buffer for the same reason.
- a new connection's first bytes are read one RTT after it was accepted: the TCP handshake
  a real link would cost.

The rate is the rate of TCP payload (goodput): headers are not counted.

    relay = LinkRelay(rtt_ms=50, mbit=100)
    graph_port, upload_port = relay.listen(2)
    relay.set_upstream(0, "127.0.0.1", 8080)
    print(check_link(graph_port))          # needs an upstream that speaks CheckServer

Command line (prints its ports, then serves until Ctrl-C; `set I HOST PORT` on stdin changes
an upstream):

    python3 bench/linksim.py --rtt 50 --rate 100 --listen 0:127.0.0.1:8080 --listen 0:127.0.0.1:8081
    python3 bench/linksim.py --netns --rtt 30 --rate 2 --check     # self-check in a namespace

Kernel netem is not needed. To keep the kernel's buffers from hiding the link, run it, and
everything that talks through it, in a network namespace made by `enter_netns()`:
`unshare -n`, `lo` up with MTU 1500, `net.ipv4.tcp_wmem` capped.
"""

import argparse
import asyncio
import collections
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

SEGMENT = 1448               # payload of a TCP segment on a 1500-byte MTU, with timestamps
SLACK = 0.0005               # deliver up to half a millisecond early: timers fire up to 1 ms late
RECEIVE_BUFFER = 64 * 1024   # SO_RCVBUF of the relay's sockets (the kernel doubles it)
WRITE_HIGH_WATER = 256 * 1024
WMEM = "4096 16384 262144"   # net.ipv4.tcp_wmem in the namespace
NETNS_ENV = "LINKSIM_NETNS"


# ---------------------------------------------------------------------------------------------
# The link

class Link:
    """One direction: a FIFO paced at the rate, then a fixed delay. Shared by the connections
    that were opened while these settings were in force."""

    def __init__(self, loop, rtt_ms, mbit, queue_bytes=None):
        self.loop = loop
        self.rtt = rtt_ms / 1000.0
        self.delay = self.rtt / 2
        self.bytes_per_second = mbit * 1e6 / 8
        self.seconds_per_byte = 1.0 / self.bytes_per_second
        self.bdp = int(self.bytes_per_second * self.rtt)
        self.limit = queue_bytes if queue_bytes is not None else self.bdp + 64 * 1024
        self.free = 0.0          # when the last segment put in the FIFO will have left it
        self.waiting = set()     # flows whose source is paused for want of room
        self.timer = None

    def backlog(self, now):
        """Bytes in the FIFO not yet serialized."""
        return max(0.0, self.free - now) * self.bytes_per_second

    def full(self, now):
        return self.backlog(now) > self.limit

    def wait(self, flow):
        """`flow` stopped reading; wake it when the FIFO is back under its bound."""
        self.waiting.add(flow)
        if self.timer is None:
            self.timer = self.loop.call_at(self.free - self.limit * self.seconds_per_byte, self._drained)

    def _drained(self):
        self.timer = None
        now = self.loop.time()
        if self.full(now):
            self.timer = self.loop.call_at(self.free - self.limit * self.seconds_per_byte, self._drained)
            return
        flows, self.waiting = self.waiting, set()
        for flow in flows:
            flow.maybe_resume()


class Flow:
    """One direction of one connection: bytes read from `source`, through `link`, written to
    `sink` when due."""

    def __init__(self, connection, link, direction):
        self.connection = connection
        self.link = link
        self.direction = direction   # "up" (client to upstream) or "down"
        self.loop = link.loop
        self.source = None           # Side whose reads feed this flow
        self.sink = None             # Side this flow writes to
        self.queue = collections.deque()   # (deliver at, segment or None for EOF)
        self.held = 0                # bytes queued, in the FIFO or in propagation
        self.hard_limit = link.limit + link.bdp + WRITE_HIGH_WATER
        self.timer = None
        self.sink_paused = False
        self.eof_fed = False
        self.finished = False
        self.read_bytes = 0
        self.delivered_bytes = 0

    def feed(self, data):
        now = self.loop.time()
        link = self.link
        observer = self.connection.relay.observer
        if observer is not None:
            observer.read(self.connection, self.direction, now, data)
        view = memoryview(data)
        spb = link.seconds_per_byte
        delay = link.delay
        leaves = max(link.free, now)
        append = self.queue.append
        size = len(data)
        for start in range(0, size, SEGMENT):
            segment = view[start:start + SEGMENT]
            leaves += len(segment) * spb
            append((leaves + delay, segment))
        link.free = leaves
        self.held += size
        self.read_bytes += size
        self.schedule()
        if link.full(now):
            self.source.pause()
            link.wait(self)         # woken when the FIFO drains
        elif self.held > self.hard_limit:
            self.source.pause()     # woken by deliver(), as the sink takes bytes

    def feed_eof(self):
        if self.eof_fed:
            return
        self.eof_fed = True
        now = self.loop.time()
        self.queue.append((max(self.link.free, now) + self.link.delay, None))
        self.schedule()

    def maybe_resume(self):
        if self.source is None or not self.source.paused or self.eof_fed:
            return
        if self.link.full(self.loop.time()):
            self.link.wait(self)
        elif self.held <= self.hard_limit:
            self.source.resume()

    def schedule(self):
        if self.timer is None and self.queue and not self.sink_paused and not self.finished:
            self.timer = self.loop.call_at(self.queue[0][0] - SLACK, self.deliver)

    def deliver(self):
        self.timer = None
        due = self.loop.time() + SLACK
        queue = self.queue
        parts = []
        count = 0
        eof = False
        while queue and queue[0][0] <= due:
            segment = queue.popleft()[1]
            if segment is None:
                eof = True
                break
            parts.append(segment)
            count += len(segment)
        self.held -= count
        if count:
            self.delivered_bytes += count
            self.sink.write(b"".join(parts))
            observer = self.connection.relay.observer
            if observer is not None:
                observer.delivered(self.connection, self.direction, self.loop.time(), count)
        if eof:
            self.finished = True
            queue.clear()
            self.held = 0
            self.sink.write_eof()
            self.connection.flow_finished()
            return
        if self.held <= self.hard_limit and self.source is not None and self.source.paused:
            self.maybe_resume()
        self.schedule()

    def pause_sink(self):
        self.sink_paused = True
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def resume_sink(self):
        self.sink_paused = False
        self.schedule()

    def cancel(self):
        self.finished = True
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.queue.clear()
        self.held = 0


class Side(asyncio.Protocol):
    """One socket of a relayed connection."""

    def __init__(self, connection, outgoing, incoming):
        self.connection = connection
        self.outgoing = outgoing     # the flow this side's reads feed
        self.incoming = incoming     # the flow that writes to this side
        self.transport = None
        self.paused = False
        self.closed = False

    def connection_made(self, transport):
        self.transport = transport
        transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)

    def data_received(self, data):
        self.outgoing.feed(data)

    def eof_received(self):
        self.outgoing.feed_eof()
        return True    # keep the socket open: the other direction may still carry data

    def connection_lost(self, exc):
        self.closed = True
        self.outgoing.feed_eof()
        if exc is not None:
            self.incoming.cancel()
            self.connection.flow_finished()
        self.connection.side_lost()

    def pause_writing(self):
        self.incoming.pause_sink()

    def resume_writing(self):
        self.incoming.resume_sink()

    def pause(self):
        if not self.paused and self.transport is not None and not self.closed:
            self.paused = True
            self.transport.pause_reading()

    def resume(self):
        if self.paused and self.transport is not None and not self.closed:
            self.paused = False
            self.transport.resume_reading()

    def write(self, data):
        if not self.closed and not self.transport.is_closing():
            self.transport.write(data)

    def write_eof(self):
        if not self.closed and not self.transport.is_closing():
            try:
                self.transport.write_eof()
            except OSError:
                self.transport.close()

    def close(self):
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


class Connection:
    """A client's connection and the relay's connection upstream."""

    def __init__(self, relay, index, number, up_link, down_link):
        self.relay = relay
        self.index = index           # which listen port
        self.number = number
        self.up = Flow(self, up_link, "up")
        self.down = Flow(self, down_link, "down")
        self.client = ClientSide(self, self.up, self.down)
        self.upstream = None
        self.up.source = self.client
        self.down.sink = self.client
        self.sniff = {}              # scratch space for an observer

    def flow_finished(self):
        if self.up.finished and self.down.finished:
            self.close()

    def side_lost(self):
        if self.client.closed and (self.upstream is None or self.upstream.closed):
            self.up.cancel()
            self.down.cancel()
        elif self.client.closed and self.up.finished:
            self.close()

    def close(self):
        self.up.cancel()
        self.down.cancel()
        self.client.close()
        if self.upstream is not None:
            self.upstream.close()
        self.relay.connections.discard(self)


class ClientSide(Side):
    def connection_made(self, transport):
        super().connection_made(transport)
        self.pause()
        loop = self.connection.relay.loop
        self.connection.relay.connections.add(self.connection)
        handshake_over = loop.time() + (self.connection.up.link.rtt if self.connection.relay.handshake else 0)
        loop.create_task(self.connection.relay._connect_upstream(self.connection, handshake_over))


# ---------------------------------------------------------------------------------------------
# The relay

class LinkRelay:
    """A relay that simulates a link of `rtt_ms` and `mbit` between its clients and upstreams.

    `listen(n)` binds n loopback ports (returns them); `set_upstream(i, host, port)` says where
    port i's new connections go (it may change at any time); `set_link(rtt_ms, mbit)` changes
    the link for new connections. The relay runs its own event loop on a daemon thread.
    """

    def __init__(self, rtt_ms, mbit, queue_bytes=None, handshake=True):
        self.handshake = handshake
        self.observer = None          # an object with read(conn, direction, t, data) and delivered(...)
        self.connections = set()
        self.upstreams = {}
        self.servers = []
        self.ports = []
        self.count = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="linksim", daemon=True)
        self.thread.start()
        self.set_link(rtt_ms, mbit, queue_bytes)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def call(self, function, *arguments):
        """Runs `function` on the relay's loop and returns its result."""
        async def run():
            return function(*arguments)
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result()

    def set_link(self, rtt_ms, mbit, queue_bytes=None):
        def apply():
            self.rtt_ms, self.mbit = rtt_ms, mbit
            self.up_link = Link(self.loop, rtt_ms, mbit, queue_bytes)
            self.down_link = Link(self.loop, rtt_ms, mbit, queue_bytes)
        self.call(apply)

    def listen(self, count=1, host="127.0.0.1"):
        ports = []
        for _ in range(count):
            index = len(self.servers)
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
            sock.bind((host, 0))
            sock.listen(128)
            sock.setblocking(False)

            async def serve(sock=sock, index=index):
                return await self.loop.create_server(lambda: self._accept(index), sock=sock)
            self.servers.append(asyncio.run_coroutine_threadsafe(serve(), self.loop).result())
            port = sock.getsockname()[1]
            self.ports.append(port)
            ports.append(port)
        return ports

    def listen_on(self, host, port):
        """Like listen(1), on a given port."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
        index = len(self.servers)

        async def serve():
            return await self.loop.create_server(lambda: self._accept(index), sock=sock)
        self.servers.append(asyncio.run_coroutine_threadsafe(serve(), self.loop).result())
        self.ports.append(sock.getsockname()[1])
        return self.ports[-1]

    def set_upstream(self, index, host, port):
        self.upstreams[index] = (host, port)

    def _accept(self, index):
        self.count += 1
        return Connection(self, index, self.count, self.up_link, self.down_link).client

    async def _connect_upstream(self, connection, handshake_over):
        target = self.upstreams.get(connection.index)
        if target is None:
            connection.close()
            return
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        try:
            await self.loop.sock_connect(sock, target)
            side = Side(connection, connection.down, connection.up)
            await self.loop.create_connection(lambda: side, sock=sock)
        except OSError:
            sock.close()
            connection.close()
            return
        connection.upstream = side
        connection.down.source = side
        connection.up.sink = side
        if connection.client.closed:
            connection.close()
            return
        try:
            connection.client.transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):
            pass
        wait = handshake_over - self.loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        connection.client.resume()

    def close(self):
        def stop():
            for server in self.servers:
                server.close()
            for connection in list(self.connections):
                connection.close()
        try:
            self.call(stop)
        except RuntimeError:
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


# ---------------------------------------------------------------------------------------------
# The self-check

class CheckServer(asyncio.Protocol):
    """An upstream for check_link: `P` answers `p`; `S` + 8-byte length swallows that many
    bytes, then answers `K`; `D` + 8-byte length sends that many bytes."""

    def connection_made(self, transport):
        self.transport = transport
        self.buffer = bytearray()
        self.sink = 0

    def data_received(self, data):
        if self.sink:
            take = min(self.sink, len(data))
            self.sink -= take
            data = data[take:]
            if self.sink == 0:
                self.transport.write(b"K")
        self.buffer += data
        while self.buffer and not self.sink:
            command = self.buffer[0]
            if command == ord("P"):
                del self.buffer[0]
                self.transport.write(b"p")
            elif command in (ord("S"), ord("D")):
                if len(self.buffer) < 9:
                    return
                count = int.from_bytes(self.buffer[1:9], "big")
                del self.buffer[:9]
                if command == ord("D"):
                    self.transport.write(bytes(count))
                else:
                    take = min(count, len(self.buffer))
                    del self.buffer[:take]
                    self.sink = count - take
                    if self.sink == 0:
                        self.transport.write(b"K")
            else:
                self.transport.close()
                return


def start_check_server(relay, host="127.0.0.1"):
    """A CheckServer on the relay's loop (a free port); returns its port."""
    async def serve():
        return await relay.loop.create_server(CheckServer, host, 0)
    server = asyncio.run_coroutine_threadsafe(serve(), relay.loop).result()
    relay.servers.append(server)
    return server.sockets[0].getsockname()[1]


def _receive(sock, count):
    got = 0
    while got < count:
        chunk = sock.recv(min(1 << 20, count - got))
        if not chunk:
            raise ConnectionError("the check server closed the connection")
        got += len(chunk)


def check_link(relay_port, host="127.0.0.1", pings=12, bulk=None, mbit_hint=None, timeout=120):
    """Measures the link through `relay_port`, whose upstream must be a CheckServer: the RTT
    (median of 1-byte round trips after the first two) and the rate each way (a bulk transfer,
    timed, less one RTT). `bulk` defaults to one second's worth of `mbit_hint`, between 2 and
    5 MB. Returns {"rtt_ms", "up_mbit", "down_mbit", "bulk_bytes"}."""
    if bulk is None:
        bulk = 5_000_000 if mbit_hint is None else int(min(5e6, max(2e6, mbit_hint * 1e6 / 8)))
    sock = socket.create_connection((host, relay_port), timeout=timeout)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rtts = []
        for _ in range(pings):
            started = time.perf_counter()
            sock.sendall(b"P")
            _receive(sock, 1)
            rtts.append(time.perf_counter() - started)
        rtt = statistics.median(rtts[2:])
        started = time.perf_counter()
        sock.sendall(b"S" + bulk.to_bytes(8, "big") + bytes(bulk))
        _receive(sock, 1)
        up_seconds = time.perf_counter() - started - rtt
        started = time.perf_counter()
        sock.sendall(b"D" + bulk.to_bytes(8, "big"))
        _receive(sock, bulk)
        down_seconds = time.perf_counter() - started - rtt
    finally:
        sock.close()
    return {"rtt_ms": rtt * 1000, "up_mbit": bulk * 8 / up_seconds / 1e6,
            "down_mbit": bulk * 8 / down_seconds / 1e6, "bulk_bytes": bulk,
            "first_ping_ms": rtts[0] * 1000}


def check_problems(measured, rtt_ms, mbit, tolerance=0.10):
    """What in `measured` is off by more than `tolerance` from the link asked for."""
    problems = []
    if abs(measured["rtt_ms"] - rtt_ms) > tolerance * rtt_ms:
        problems.append(f"RTT {measured['rtt_ms']:.1f} ms, asked {rtt_ms} ms")
    for key in ("up_mbit", "down_mbit"):
        if abs(measured[key] - mbit) > tolerance * mbit:
            problems.append(f"{key.split('_')[0]} rate {measured[key]:.2f} Mbit/s, asked {mbit} Mbit/s")
    return problems


def self_check(rtt_ms, mbit, tolerance=0.10):
    """A relay of its own, a CheckServer behind it, check_link through it."""
    relay = LinkRelay(rtt_ms, mbit)
    try:
        port, = relay.listen(1)
        relay.set_upstream(0, "127.0.0.1", start_check_server(relay))
        measured = check_link(port, mbit_hint=mbit)
        return measured, check_problems(measured, rtt_ms, mbit, tolerance)
    finally:
        relay.close()


# ---------------------------------------------------------------------------------------------
# The network namespace

def in_netns():
    marker = os.environ.get(NETNS_ENV)
    return bool(marker) and marker != os.readlink("/proc/self/ns/net")


def enter_netns(argv=None, wmem=WMEM):
    """Re-executes this program (sys.argv, or `argv`) under `unshare -n` unless it already runs
    in the namespace it made; there, brings `lo` up with MTU 1500 and caps net.ipv4.tcp_wmem
    (per namespace), so that only the relay's loopback traffic exists and the kernel's send
    buffers stay small. Needs root (or a user namespace). Returns only in the namespace."""
    if not in_netns():
        if os.environ.get(NETNS_ENV):
            raise SystemExit("linksim: `unshare -n` did not give a new network namespace")
        environment = dict(os.environ)
        environment[NETNS_ENV] = os.readlink("/proc/self/ns/net")
        arguments = argv if argv is not None else [sys.executable, os.path.abspath(sys.argv[0]), *sys.argv[1:]]
        try:
            os.execvpe("unshare", ["unshare", "-n", "--", *arguments], environment)
        except OSError as error:
            raise SystemExit(f"linksim: cannot run unshare -n: {error}")
    setup = subprocess.run(["ip", "link", "set", "lo", "up", "mtu", "1500"], capture_output=True, text=True)
    if setup.returncode != 0:
        raise SystemExit(f"linksim: ip link set lo up failed: {setup.stderr.strip()}")
    with open("/proc/sys/net/ipv4/tcp_wmem", "w") as out:
        out.write(wmem)


def netns_description():
    with open("/proc/sys/net/ipv4/tcp_wmem") as wmem, open("/proc/sys/net/ipv4/tcp_rmem") as rmem:
        return (f"network namespace of its own (unshare -n), lo MTU 1500, tcp_wmem {' '.join(wmem.read().split())}, "
                f"tcp_rmem {' '.join(rmem.read().split())}, relay SO_RCVBUF {RECEIVE_BUFFER // 1024} KiB")


# ---------------------------------------------------------------------------------------------
# Command line

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtt", type=float, required=True, help="round-trip time, ms")
    parser.add_argument("--rate", type=float, required=True, help="rate each way, Mbit/s")
    parser.add_argument("--queue", type=int, help="FIFO bound in bytes (default: one BDP + 64 KiB)")
    parser.add_argument("--listen", action="append", default=[], metavar="PORT:HOST:UPSTREAM_PORT",
                        help="listen on 127.0.0.1:PORT (0: a free one), relay to HOST:UPSTREAM_PORT; repeatable")
    parser.add_argument("--check", action="store_true", help="measure the link first (through a check server)")
    parser.add_argument("--netns", action="store_true", help="run in a network namespace of its own (unshare -n)")
    parser.add_argument("--no-handshake", action="store_true", help="do not charge one RTT for a new connection")
    arguments = parser.parse_args()
    if arguments.netns:
        enter_netns()
    relay = LinkRelay(arguments.rtt, arguments.rate, arguments.queue, handshake=not arguments.no_handshake)
    try:
        if arguments.check:
            measured, problems = self_check(arguments.rtt, arguments.rate)
            print(f"check: RTT {measured['rtt_ms']:.2f} ms, up {measured['up_mbit']:.2f} Mbit/s, "
                  f"down {measured['down_mbit']:.2f} Mbit/s ({measured['bulk_bytes']} bytes each way): "
                  + ("ok" if not problems else "OFF: " + "; ".join(problems)), flush=True)
        for index, spec in enumerate(arguments.listen):
            port, host, upstream = spec.split(":")
            bound = relay.listen_on("127.0.0.1", int(port))
            relay.set_upstream(index, host, int(upstream))
            print(f"listen {index} 127.0.0.1:{bound} -> {host}:{upstream}", flush=True)
        if not arguments.listen:
            return
        for line in sys.stdin:
            words = line.split()
            if len(words) == 4 and words[0] == "set":
                relay.set_upstream(int(words[1]), words[2], int(words[3]))
                print(f"listen {words[1]} -> {words[2]}:{words[3]}", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        relay.close()


if __name__ == "__main__":
    main()
