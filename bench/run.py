#!/usr/bin/env python3
"""`make bench`: attache, curl and msgraph-core upload the same files to the same emulator.

Starts `attache serve` (release build) on a free loopback port, writes the test files
(fixed seeds), and for each size runs each tool several times, in turn, against the same
emulator and the same message. Every upload is checked afterwards: the attachment's
`$value` must hash like the file; then it is deleted, outside the timing. Prints the
machine, the versions and a Markdown table of medians with min and max.
"""

import argparse
import hashlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ATTACHE = os.path.join(ROOT, ".build", "release", "attache")
TOKEN = "attache-dev-token"
CHUNK = 3_932_160  # attache's default range: 12 x 320 KiB, for every tool
MIB = 1024 * 1024
SIZES = [("3 MiB", 3 * MIB), ("25 MB", 25_000_000), ("150 MB", 150_000_000)]


class Emulator:
    def __init__(self, workdir, name="emulator", extra=()):
        self.log = open(os.path.join(workdir, f"{name}.log"), "w")
        # Speed without Outlook's limits: five runs of 150 MB would wait on its upload budget.
        self.process = subprocess.Popen(
            [ATTACHE, "serve", "--port", "0", "--quiet", "--no-limits", "--data-dir", os.path.join(workdir, name), *extra],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        first = self.process.stdout.readline().strip()
        match = re.match(r"listening on (http://\S+)", first)
        if not match:
            raise SystemExit(f"bench: the emulator did not start: {first!r}")
        self.origin = match.group(1)
        self.base = self.origin + "/v1.0"

    def request(self, method, url, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url if url.startswith("http") else self.base + url, data=data, method=method)
        request.add_header("Authorization", f"Bearer {TOKEN}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request) as reply:
            return reply.read()

    def stats(self):
        return json.loads(self.request("GET", self.origin + "/_emulator/stats"))

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def make_file(path, size, seed):
    generator = random.Random(seed)
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        left = size
        while left > 0:
            block = generator.randbytes(min(MIB, left))
            out.write(block)
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


def timed(command):
    """Runs `command` under /usr/bin/time -v: wall seconds, peak RSS in MiB, exit status and
    the last line it wrote to stderr (the reason, when it failed)."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    own = done.stderr.split("\tCommand being timed:")[0].strip().splitlines()
    reason = next((line for line in reversed(own) if line.strip() and not line.startswith("Command exited")), "").strip()
    # A Python traceback's last line, cut to the exception and the HTTP status it names.
    status_code = re.search(r"\(status (\d+)\)", reason)
    if status_code:
        reason = f"{reason.split(':')[0].split('.')[-1]} on HTTP {status_code.group(1)}"
    return wall, int(rss.group(1)) / 1024 if rss else float("nan"), done.returncode, reason


def check_and_remove(emulator, item, name, sha256):
    """Whether exactly one attachment `name` is on `item` and hashes like the file; then
    every attachment of that name goes, so the next run starts clean."""
    listing = json.loads(emulator.request("GET", f"/me/messages/{item}/attachments?$select=id,name,size&$top=100"))
    found = [a for a in listing["value"] if a["name"] == name]
    good = False
    if len(found) == 1:
        value = emulator.request("GET", f"/me/messages/{item}/attachments/{found[0]['id']}/$value")
        good = hashlib.sha256(value).hexdigest() == sha256
    for attachment in found:
        emulator.request("DELETE", f"/me/messages/{item}/attachments/{attachment['id']}")
    return good


def split_file(path, directory):
    """The file cut into CHUNK-sized pieces for curl's --data-binary (done before the clock starts)."""
    os.makedirs(directory, exist_ok=True)
    pieces = []
    with open(path, "rb") as source:
        offset = 0
        while True:
            block = source.read(CHUNK)
            if not block:
                break
            piece = os.path.join(directory, f"{offset}")
            with open(piece, "wb") as out:
                out.write(block)
            pieces.append((offset, offset + len(block) - 1, piece))
            offset += len(block)
    return pieces


def curl_command(emulator, item, path, pieces, workdir):
    """A shell script: curl creates the session, then one curl process sends every range
    over one connection (`--next`), which is as little as the protocol needs. `Expect:` is
    cleared: curl would otherwise wait a second per range for a `100 Continue`, which the
    emulator (Hummingbird) does not send."""
    size = os.path.getsize(path)
    name = os.path.basename(path)
    script = os.path.join(workdir, "curl-upload.sh")
    puts = []
    for first, last, piece in pieces:
        puts.append(
            f'-X PUT -H "Expect:" -H "Content-Type: application/octet-stream" -H "Content-Range: bytes {first}-{last}/{size}" '
            f'--data-binary @{piece} -o /dev/null "$url"')
    body = json.dumps({"AttachmentItem": {"attachmentType": "file", "name": name, "size": size}})
    with open(script, "w") as out:
        out.write("set -euo pipefail\n")
        out.write(
            f"reply=$(curl -sS --fail -X POST -H 'Authorization: Bearer {TOKEN}' -H 'Content-Type: application/json' "
            f"-d '{body}' '{emulator.base}/me/messages/{item}/attachments/createUploadSession')\n")
        out.write('url=$(printf %s "$reply" | grep -o \'"uploadUrl":"[^"]*"\' | cut -d\'"\' -f4)\n')
        out.write("curl -sS --fail " + " --next ".join(puts) + "\n")
    return ["bash", script]


def measure(label, runs):
    walls = [r["wall"] for r in runs]
    rss = [r["rss"] for r in runs]
    return {
        "tool": label, "runs": len(runs),
        "wall": (statistics.median(walls), min(walls), max(walls)),
        "rss": statistics.median(rss),
        "puts": runs[0]["puts"], "sent": runs[0]["sent"],
        "outcomes": sorted({r["outcome"] for r in runs}),
    }


def cpu_seconds(pid):
    """User plus system CPU time of `pid`, in seconds."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def find_process(marker):
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                arguments = cmdline.read().split(b"\0")
        except OSError:
            continue
        if arguments[0].endswith(b"/attache") and marker.encode() in arguments:
            return int(entry)
    return None


def tui_cpu(workdir, seconds=10):
    """The screen's CPU use, idle and while a transfer's bar moves (redrawn at most 10 times
    a second), each over `seconds`, against its own emulator answering each range after 50 ms."""
    if not shutil.which("tmux"):
        return None
    slow = Emulator(workdir, name="emulator-slow", extra=("--range-delay", "50"))
    folder = os.path.join(workdir, "tui")
    os.makedirs(folder)
    make_file(os.path.join(folder, "tui.bin"), 100 * MIB, seed=7)
    socket = f"attache-bench-{os.getpid()}"
    command = " ".join([ATTACHE, "--graph", slow.base, "--token", TOKEN, "--state-dir", os.path.join(workdir, "tui-state"),
                        "--start-dir", folder, "--chunk-size", "327680"])
    tmux = ["tmux", "-L", socket, "-f", "/dev/null"]
    try:
        subprocess.run(tmux + ["new-session", "-d", "-s", "bench", "-x", "120", "-y", "40", command], check=True)
        time.sleep(2)
        pid = find_process(folder)
        if pid is None:
            return None
        start = cpu_seconds(pid)
        time.sleep(seconds)
        idle = (cpu_seconds(pid) - start) / seconds
        subprocess.run(tmux + ["send-keys", "-t", "bench", "a"], check=True)
        time.sleep(0.5)
        subprocess.run(tmux + ["send-keys", "-t", "bench", "j", "Enter"], check=True)
        time.sleep(2)
        screen = subprocess.run(tmux + ["capture-pane", "-p", "-t", "bench"], capture_output=True, text=True).stdout
        start = cpu_seconds(pid)
        time.sleep(seconds)
        busy = (cpu_seconds(pid) - start) / seconds
        after = subprocess.run(tmux + ["capture-pane", "-p", "-t", "bench"], capture_output=True, text=True).stdout
        moving = "uploading" in screen and "uploading" in after
        return {"idle": idle, "transfer": busy, "moving": moving, "seconds": seconds}
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)
        slow.stop()


def machine():
    """The processor, cores, memory and kernel, for the heading of a results table."""
    cpu = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        memory = int(info.readline().split()[1]) // (1024 * 1024)
    return f"{cpu}, {os.cpu_count()} cores, {memory} GiB, Linux {platform.release()}"


def versions():
    def first_line(command):
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "not found"
    try:
        import importlib.metadata as metadata
        sdk = metadata.version("msgraph-core")
    except Exception:
        sdk = "not installed"
    return {
        "machine": machine(),
        "attache": first_line([ATTACHE, "--version"]),
        "swift": first_line(["swift", "--version"]),
        "curl": first_line(["curl", "--version"]),
        "python": platform.python_version(),
        "msgraph-core": sdk,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5, help="runs per tool and size (default 5)")
    parser.add_argument("--concurrency-reps", type=int, default=3, help="runs per concurrency level (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--before", metavar="BINARY", help="another attache build to upload beside this one, as 'attache (before)'")
    parser.add_argument("--only", metavar="TOOLS", help="comma-separated tools to run (default: all)")
    parser.add_argument("--sizes", metavar="LABELS", help="comma-separated sizes to run, of 3 MiB, 25 MB, 150 MB (default: all)")
    parser.add_argument("--no-extras", action="store_true", help="skip the concurrency levels and the screen's CPU")
    arguments = parser.parse_args()
    if not os.access(ATTACHE, os.X_OK):
        raise SystemExit("bench: build attache first (make release)")

    workdir = tempfile.mkdtemp(prefix="attache-bench-")
    emulator = Emulator(workdir)
    results = []
    try:
        item = json.loads(emulator.request("GET", "/me/messages?$select=id&$top=1"))["value"][0]["id"]
        state = os.path.join(workdir, "state")
        sizes = [(label, size) for label, size in SIZES if not arguments.sizes or label in arguments.sizes.split(",")]
        for label, size in sizes:
            path = os.path.join(workdir, f"bench-{size}.bin")
            sha256 = make_file(path, size, seed=size)
            pieces = split_file(path, os.path.join(workdir, f"pieces-{size}"))
            tools = {
                "attache": [ATTACHE, "upload", path, "--message", item, "--graph", emulator.base, "--token", TOKEN,
                            "--state-dir", state, "--chunk-size", str(CHUNK), "--json"],
                "curl": curl_command(emulator, item, path, pieces, workdir),
                "msgraph-core": [sys.executable, os.path.join(ROOT, "bench", "sdk_upload.py"), emulator.base, TOKEN,
                                 "messages", item, path, str(CHUNK)],
                "msgraph-core, patched": [sys.executable, os.path.join(ROOT, "bench", "sdk_upload.py"), "--patched",
                                          emulator.base, TOKEN, "messages", item, path, str(CHUNK)],
            }
            if arguments.before:
                tools["attache (before)"] = [arguments.before, "upload", path, "--message", item, "--graph", emulator.base, "--token",
                                             TOKEN, "--state-dir", state + "-before", "--chunk-size", str(CHUNK), "--json"]
            if arguments.only:
                tools = {tool: command for tool, command in tools.items() if tool in arguments.only.split(",")}
            runs = {tool: [] for tool in tools}
            for rep in range(arguments.reps):
                for tool, command in tools.items():  # in turn, so drift hits all alike
                    before = emulator.stats()
                    wall, rss, status, reason = timed(command)
                    after = emulator.stats()
                    attached = check_and_remove(emulator, item, os.path.basename(path), sha256)
                    outcome = "ok" if attached and status == 0 else (
                        f"attached, then exit {status}: {reason}" if attached else f"not attached (exit {status}): {reason}")
                    runs[tool].append({
                        "wall": wall, "rss": rss, "outcome": outcome,
                        "puts": after["putRequests"] - before["putRequests"],
                        "sent": after["putBytes"] - before["putBytes"],
                    })
                    print(f"  {label:>7} {tool:<22} run {rep + 1}: {wall:6.3f} s  {rss:6.1f} MiB  {outcome[:100]}", file=sys.stderr)
            for tool in tools:
                results.append({"size": label, "bytes": size, **measure(tool, runs[tool])})
            shutil.rmtree(os.path.join(workdir, f"pieces-{size}"))

        # 8 files of 25 MB in one `attache upload`, at several concurrency levels.
        files = []
        concurrency = []
        screen = None
        for index in range(0 if arguments.no_extras else 8):
            path = os.path.join(workdir, f"many-{index}.bin")
            files.append((path, make_file(path, 25_000_000, seed=1000 + index)))
        for parallel in () if arguments.no_extras else (1, 2, 4, 8):
            runs = []
            for rep in range(arguments.concurrency_reps):
                command = [ATTACHE, "upload"] + [p for p, _ in files] + [
                    "--message", item, "--graph", emulator.base, "--token", TOKEN, "--state-dir", state,
                    "--chunk-size", str(CHUNK), "--parallel", str(parallel), "--json"]
                wall, rss, status, reason = timed(command)
                attached = [check_and_remove(emulator, item, os.path.basename(path), sha256) for path, sha256 in files]
                if status != 0 or not all(attached):
                    raise SystemExit(f"bench: attache --parallel {parallel} failed (exit {status}): {reason}")
                runs.append({"wall": wall, "rss": rss})
                print(f"  8 x 25 MB --parallel {parallel} run {rep + 1}: {wall:6.3f} s  {rss:6.1f} MiB", file=sys.stderr)
            walls = [r["wall"] for r in runs]
            concurrency.append({
                "parallel": parallel, "wall": (statistics.median(walls), min(walls), max(walls)),
                "rss": statistics.median([r["rss"] for r in runs])})
        if not arguments.no_extras:
            screen = tui_cpu(workdir)
    finally:
        emulator.stop()
        if not arguments.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    info = versions()
    print("## Machine and versions\n")
    for key, value in info.items():
        print(f"- {key}: {value}")
    print(f"\n## One file, {arguments.reps} runs per tool (median, min–max)\n")
    print("| file | tool | wall s | MB/s | peak RSS MiB | PUTs | bytes sent / file | outcome |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        median, low, high = r["wall"]
        # A rate means nothing for a run that attached nothing.
        rate = "—" if any(o.startswith("not attached") for o in r["outcomes"]) else f"{r['bytes'] / median / 1e6:.1f}"
        print(f"| {r['size']} | {r['tool']} | {median:.3f} ({low:.3f}–{high:.3f}) | {rate} "
              f"| {r['rss']:.1f} | {r['puts']} | {r['sent'] / r['bytes']:.2f} | {'; '.join(r['outcomes'])} |")
    by = {(r["size"], r["tool"]): r for r in results}
    largest = sizes[-1][0]
    for tool in ("attache", "attache (before)"):
        if (largest, "curl") in by and (largest, tool) in by:
            ratio = by[(largest, "curl")]["wall"][0] / by[(largest, tool)]["wall"][0]
            print(f"\n{tool}'s throughput on {largest}: {ratio:.2f} x curl's.")
    if arguments.no_extras:
        return
    print(f"\n## 8 files of 25 MB in one `attache upload`, {arguments.concurrency_reps} runs each\n")
    print("| --parallel | wall s | MB/s | peak RSS MiB |")
    print("|---|---|---|---|")
    for c in concurrency:
        median, low, high = c["wall"]
        print(f"| {c['parallel']} | {median:.3f} ({low:.3f}–{high:.3f}) | {8 * 25_000_000 / median / 1e6:.1f} | {c['rss']:.1f} |")
    print("\n## The screen's CPU use (one core = 100%)\n")
    if screen is None:
        print("not measured: tmux is missing")
    else:
        print(f"- idle, {screen['seconds']} s: {screen['idle'] * 100:.1f}%")
        print(f"- during a transfer (bar moving: {'yes' if screen['moving'] else 'NO'}), {screen['seconds']} s: "
              f"{screen['transfer'] * 100:.1f}%")


if __name__ == "__main__":
    main()
