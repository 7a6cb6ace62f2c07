"""A lecture hall: the app served by several Streamlit processes behind nginx.

    python scripts/lecture_hall.py --processes 2 --port 8500
        [--address 127.0.0.1] [--upstream HOST:PORT ...] [--print-config]

Starts ``--processes`` Streamlit processes (`streamlit run app.py`, each on a
free loopback port, each with its own training workers: one per core in all,
RECDEMO_TRAINING_WORKERS tells each how many), opens each one's
home page once, and each --upstream's (a fresh Streamlit server's first run
decides how it treats pages/; see the README), writes an nginx configuration into a temporary
directory and runs nginx in the foreground, as a child, until Ctrl+C or
SIGTERM stops them all. Students open http://ADDRESS:PORT/. It listens on
loopback unless ``--address`` says otherwise (0.0.0.0: the whole network).

Sticky sessions: every request of one browser must reach the same process,
the websocket (its session lives there) and /media/ (a download button's file
too). A cookie says which: nginx sets ``recdemo_backend`` from its
$request_id on a browser's first request, and `hash $cookie consistent` maps
it to a process. (ip_hash would send a classroom behind one NAT address, or
every loopback client, to one process.) A process that is down loses its
browsers to the others; they reconnect to a fresh session there. Each answer
names its process in an X-Recdemo-Backend header (the tests check it).

``--upstream HOST:PORT`` adds a Streamlit process on another machine (the
README says how to start one); ``--processes 0`` serves only those.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from streamlit_client import COOKIE, HOST, open_session, read_run, rerun_request

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian's package: apt-get install nginx
STARTUP_TIMEOUT = 60.0

CONFIG = """\
# Written by scripts/lecture_hall.py: nginx in front of {count} Streamlit processes.
worker_processes 1;
pid {tmp}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;

    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
    # A browser's process: named by its cookie, or, on its first request, by
    # the request's random id, which becomes its cookie.
    map $cookie_{cookie} $backend_key {{ "" $request_id; default $cookie_{cookie}; }}
    map $cookie_{cookie} $backend_cookie {{
        "" "{cookie}=$request_id; Path=/; HttpOnly; SameSite=Lax";
        default "";
    }}

    upstream streamlit {{
        hash $backend_key consistent;
{servers}
    }}

    server {{
        listen {listen};
        location / {{
            proxy_pass http://streamlit;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            # Streamlit (uvicorn) trusts this header from loopback: each
            # student keeps an address of their own, which the queue's
            # per-client budget counts by.
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 1d;  # an open tab's websocket can idle for a lesson
            proxy_send_timeout 1d;
            add_header Set-Cookie $backend_cookie always;
            add_header X-Recdemo-Backend $upstream_addr always;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def nginx_config(upstreams: list[str], listen: str, tmp: Path) -> str:
    servers = "\n".join(f"        server {upstream};" for upstream in upstreams)
    return CONFIG.format(count=len(upstreams), tmp=tmp, servers=servers, listen=listen,
                         cookie=COOKIE)


def start_streamlit(port: int, workers: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", HOST,
         "--browser.gatherUsageStats", "false"],
        env={**os.environ, "RECDEMO_TRAINING_WORKERS": str(workers)},
        # Not its banner: students use the hall's address. Its log goes to stderr.
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


def wait_healthy(host: str, port: int, process: subprocess.Popen | None = None) -> None:
    """Wait for Streamlit's (or, through nginx, the hall's) health check to answer."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < deadline and (process is None or process.poll() is None):
        try:
            with opener.open(f"http://{host}:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    exit_code = "" if process is None else f" (exit code {process.poll()})"
    raise RuntimeError(f"nothing healthy on {host}:{port}{exit_code}")


async def open_home_page(host: str, port: int) -> None:
    """The first run of a fresh server, on the home page, as a teacher's first visit."""
    async with await open_session(port, host=host) as ws:
        await ws.send(rerun_request("", ""))
        async with asyncio.timeout(STARTUP_TIMEOUT):
            await read_run(ws)


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2,
                        help="Streamlit processes on this machine (default 2)")
    parser.add_argument("--port", type=int, default=8500, help="the port students open")
    parser.add_argument("--address", default=HOST,
                        help="the address nginx listens on (default loopback; 0.0.0.0: all)")
    parser.add_argument("--upstream", action="append", default=[], metavar="HOST:PORT",
                        help="a Streamlit process on another machine (repeatable)")
    parser.add_argument("--print-config", action="store_true",
                        help="print the nginx configuration and exit")
    args = parser.parse_args()
    if args.processes < 0 or args.processes + len(args.upstream) < 1:
        parser.error("needs at least one process: --processes >= 1 or an --upstream")
    if not Path(NGINX).exists():
        parser.error(f"nginx not found at {NGINX}: apt-get install nginx")

    ports = [free_port() for _ in range(args.processes)]
    upstreams = [f"{HOST}:{port}" for port in ports] + args.upstream
    with tempfile.TemporaryDirectory(prefix="recdemo-hall-") as tmp:
        config = Path(tmp) / "nginx.conf"
        config.write_text(nginx_config(upstreams, f"{args.address}:{args.port}", Path(tmp)))
        if args.print_config:
            print(config.read_text())
            return
        children: list[subprocess.Popen] = []
        # SIGTERM (a benchmark or a service manager stopping the hall) stops the children too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            # The processes share the cores: one training worker per core in all.
            workers = max(1, (os.cpu_count() or 2) // max(1, args.processes))
            children += [start_streamlit(port, workers) for port in ports]
            for upstream, process in zip(upstreams, children + [None] * len(args.upstream),
                                         strict=True):
                host, port = upstream.rsplit(":", 1)
                wait_healthy(host, int(port), process)
                asyncio.run(open_home_page(host, int(port)))
            nginx = subprocess.Popen([NGINX, "-c", str(config), "-p", tmp, "-e", "stderr",
                                      "-g", "daemon off;"], stdin=subprocess.DEVNULL)
            children.append(nginx)
            wait_healthy(HOST if args.address == "0.0.0.0" else args.address, args.port, nginx)
            print(f"Lecture hall: http://{args.address}:{args.port}/ -> "
                  f"{', '.join(upstreams)} (Ctrl+C stops it)", flush=True)
            nginx.wait()
        except KeyboardInterrupt:
            pass
        finally:
            stop(children[::-1])  # nginx first: no new requests to processes going away


if __name__ == "__main__":
    main()
