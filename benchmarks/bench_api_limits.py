"""Server memory under oversized bodies (issue 11, finding 5): a ``vaspguard`` API server in a uvicorn
subprocess is sent four unauthenticated 93 MB POSTs at once, then an authenticated 100 MB body to
``/v1/decisions`` (declared, then chunked). Printed: the status codes, the server's peak resident memory
(``VmHWM`` from ``/proc/PID/status``) before and after each step, and the slowest ``/healthz`` while the four
bodies are on the wire. The baseline is the same server's peak after start-up and one ``/healthz``.

``VASPGUARD_BENCH_SRC=/path/to/other/src`` runs the server from another checkout's ``src`` (to measure the
code before a change beside the code after it). Linux only (``/proc``).
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

MB = 1 << 20
CHUNK = MB


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


def _post(port: int, path: str, size: int, headers: dict[str, str], *, chunked: bool = False) -> int:
    """Send ``size`` bytes to ``path``; stop sending as soon as the server answers. The status code."""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        head = [f"POST {path} HTTP/1.1", "Host: bench", "Content-Type: application/json"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}")
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        piece = b" " * CHUNK
        frame = f"{CHUNK:x}\r\n".encode() + piece + b"\r\n" if chunked else piece
        sent = 0
        try:
            while sent < size:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered
                sock.sendall(frame)
                sent += CHUNK
            if chunked and sent >= size:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            answer = sock.recv(64)
        except ConnectionResetError:
            return 0
        return int(answer.split()[1]) if answer.startswith(b"HTTP/") else 0


def _healthz_ms(port: int) -> float:
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        while sock.recv(65536):
            pass
    return (time.perf_counter() - start) * 1000


def _token(env: dict[str, str]) -> str:
    out = subprocess.run(
        [sys.executable, "-c", _TOKEN_SCRIPT], env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


_TOKEN_SCRIPT = """
import os
from vaspguard.api import create_token
from vaspguard.store import migrate, open_store
store = open_store(os.environ["VASPGUARD_DB"])
migrate(store)
print(create_token(store, name="bench", role="service"))
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.update(VASPGUARD_DB=f"sqlite:///{tmp}/bench.db", VASPGUARD_DATA_DIR=f"{tmp}/data")
        src = os.environ.get("VASPGUARD_BENCH_SRC")
        if src:
            env["PYTHONPATH"] = src
        token = _token(env)
        port = _free_port()
        command = [sys.executable, "-m", "uvicorn", "vaspguard.api:create_app_from_env", "--factory"]
        command.extend(["--port", str(port), "--no-access-log", "--log-level", "warning"])
        server = subprocess.Popen(command, env=env)
        try:
            for _ in range(200):
                try:
                    _healthz_ms(port)
                    break
                except OSError:
                    time.sleep(0.1)
            print(f"code: {src or 'this checkout'}")
            print(f"baseline (started, one /healthz): peak {_peak_mib(server.pid):.0f} MiB")
            statuses: list[int] = []
            threads = [
                threading.Thread(target=lambda: statuses.append(_post(port, "/v1/screen", 93 * MB, {})))
                for _ in range(4)
            ]
            for t in threads:
                t.start()
            slowest = 0.0
            while any(t.is_alive() for t in threads):
                slowest = max(slowest, _healthz_ms(port))
                time.sleep(0.05)
            peak = _peak_mib(server.pid)
            print(
                f"4 x 93 MB unauthenticated POST /v1/screen: {sorted(statuses)}, peak {peak:.0f} MiB, "
                f"slowest /healthz meanwhile {slowest:.0f} ms"
            )
            auth = {"Authorization": f"Bearer {token}"}
            declared = _post(port, "/v1/decisions", 100 * MB, auth)
            print(f"100 MB POST /v1/decisions (declared): {declared}, peak {_peak_mib(server.pid):.0f} MiB")
            chunked = _post(port, "/v1/decisions", 100 * MB, auth, chunked=True)
            print(f"100 MB POST /v1/decisions (chunked): {chunked}, peak {_peak_mib(server.pid):.0f} MiB")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
