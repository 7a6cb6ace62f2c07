"""A lecture hall: the app served by several Streamlit processes behind nginx,
kept running by supervisord.

    python scripts/lecture_hall.py --processes 2 --port 8500
        [--address 127.0.0.1] [--upstream HOST:PORT ...] [--print-config]

Starts ``--processes`` Streamlit processes (`streamlit run app.py`, each on a
free loopback port, each with its own training workers: one per core in all,
RECDEMO_TRAINING_WORKERS tells each how many) and nginx in front of them,
all under supervisord (pinned in requirements.txt), which replaces a process
that dies within seconds; opens each process's home page once, and each
--upstream's (a fresh server's first run, which the first student then need
not wait for); prints the address students open, http://ADDRESS:PORT/, and
which backend is which; and runs until Ctrl+C or SIGTERM stops them all. It
listens on loopback unless ``--address`` says otherwise (0.0.0.0: the whole
network). The configurations live in a temporary directory.

Sticky sessions: every request of one browser must reach the same process,
the websocket (its session lives there) and /media/ (a download button's file
too). A cookie says which: nginx sets ``recdemo_backend`` from its
$request_id on a browser's first request, and `hash $cookie consistent` maps
it to a process. (ip_hash would send a classroom behind one NAT address, or
every loopback client, to one process.) A process that is down loses its
browsers to the others; they reconnect to a fresh session there, which takes
the values the page's controls show (ui/widget_guard.py): a click made while
the socket moves is not lost. Each answer names its process by a number in an
X-Recdemo-Backend header (the tests check it), never by its address.

The proxy serves only what the app uses: its pages, Streamlit's own assets,
/media/, the health check, host config and websocket of /_stcore/, and
plotly.js; not the metrics, the upload endpoint (the app has no uploader),
the agent API, other components' files or static serving. It names no
version (``server_tokens off``). A request body over 16 KB is refused (the
app sends none), and nginx buffers a response to a slow client in folders
its workers (``nobody`` when started as root) can write.

``--upstream HOST:PORT`` adds a Streamlit process on another machine (the
README says how to start one); ``--processes 0`` serves only those.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import xmlrpc.client
from pathlib import Path

from supervisor.xmlrpc import SupervisorTransport

from harness.server import HOST, PLOTLY_JS, STARTUP_TIMEOUT, free_port, wait_healthy
from harness.streamlit_client import COOKIE, open_session, read_run, rerun_request

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian's package: apt-get install nginx

CONFIG = """\
# Written by scripts/lecture_hall.py: nginx in front of {count} Streamlit processes.
worker_processes 1;
pid {tmp}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    server_tokens off;
    # Temporary files where the workers can write them (the folder is 0711,
    # nginx makes these its workers'): a response to a slow client is
    # buffered there; without them it was cut short.
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    # The app sends no request bodies: refuse large ones before buffering them.
    client_max_body_size 16k;
    client_body_buffer_size 16k;

    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
    # A browser's process: named by its cookie, or, on its first request, by
    # the request's random id, which becomes its cookie.
    map $cookie_{cookie} $backend_key {{ "" $request_id; default $cookie_{cookie}; }}
    map $cookie_{cookie} $backend_cookie {{
        "" "{cookie}=$request_id; Path=/; HttpOnly; SameSite=Lax";
        default "";
    }}
    # The process that answered, by its number, not its address (after a
    # failover nginx lists every address it tried: the last one answered).
    map $upstream_addr $backend_number {{
{numbers}
        default "";
    }}

    upstream streamlit {{
        hash $backend_key consistent;
{servers}
    }}

    server {{
        listen {listen};
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        # Streamlit (uvicorn) trusts this header from loopback: each student
        # keeps an address of their own, which the queue's per-client budget
        # counts by.
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_read_timeout 1d;  # an open tab's websocket can idle for a lesson
        proxy_send_timeout 1d;
        add_header Set-Cookie $backend_cookie always;
        add_header X-Recdemo-Backend $backend_number always;

        location / {{ proxy_pass http://streamlit; }}  # the pages, /static/, /media/
        location /_stcore/ {{ return 404; }}  # metrics, uploads, the agent API, ...
        location = /_stcore/health {{ proxy_pass http://streamlit; }}
        location = /_stcore/host-config {{ proxy_pass http://streamlit; }}
        location = /_stcore/stream {{ proxy_pass http://streamlit; }}
        location /component/ {{ return 404; }}
        location = {plotly_js} {{ proxy_pass http://streamlit; }}
        location /app/ {{ return 404; }}  # static serving (off in the app too)
    }}
}}
"""

SUPERVISOR = """\
; Written by scripts/lecture_hall.py: the hall's processes, restarted when they die.
[supervisord]
nodaemon = true
logfile = {tmp}/supervisord.log
pidfile = {tmp}/supervisord.pid
childlogdir = {tmp}

[unix_http_server]
file = {tmp}/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
{programs}
[program:nginx]
command = {nginx} -c {tmp}/nginx.conf -p {tmp} -e stderr -g "daemon off;"
; started once every backend answers
autostart = false
autorestart = true
priority = 900
stdout_logfile = NONE
stderr_logfile = /dev/fd/2
stderr_logfile_maxbytes = 0
"""

PROGRAM = """
[program:backend-{number}]
command = {python} -m streamlit run app.py --server.headless true --server.port {port}
    --server.address {host} --browser.gatherUsageStats false
directory = {root}
environment = RECDEMO_TRAINING_WORKERS="{workers}"
autorestart = true
startsecs = 2
priority = 100
; its training workers and their forkserver go with it
stopasgroup = true
killasgroup = true
; not its banner: students use the hall's address; its log goes to stderr
stdout_logfile = NONE
stderr_logfile = /dev/fd/2
stderr_logfile_maxbytes = 0
"""


def nginx_config(upstreams: list[str], listen: str, tmp: Path) -> str:
    # A process that refused a connection is tried again after 3 s, not
    # nginx's 10: supervisord has replaced it within about a second.
    servers = "\n".join(f"        server {upstream} max_fails=1 fail_timeout=3s;"
                        for upstream in upstreams)
    numbers = "\n".join(f'        "~{upstream.replace(".", "[.]")}$" "{number}";'
                        for number, upstream in enumerate(upstreams, start=1))
    return CONFIG.format(count=len(upstreams), tmp=tmp, servers=servers, numbers=numbers,
                         listen=listen, cookie=COOKIE, plotly_js=PLOTLY_JS)


def supervisor_config(ports: list[int], workers: int, tmp: Path) -> str:
    programs = "".join(PROGRAM.format(number=number, python=sys.executable, port=port,
                                      host=HOST, root=ROOT, workers=workers)
                       for number, port in enumerate(ports, start=1))
    return SUPERVISOR.format(tmp=tmp, programs=programs, nginx=NGINX)


def supervisor(tmp: Path):
    """supervisord's XML-RPC interface, over its socket in ``tmp``."""
    return xmlrpc.client.ServerProxy(
        "http://supervisor",
        transport=SupervisorTransport(None, None, f"unix://{tmp}/supervisor.sock"))


async def open_home_page(host: str, port: int) -> None:
    """The first run of a fresh server, on the home page, as a teacher's first visit."""
    async with await open_session(port, host=host) as ws:
        await ws.send(rerun_request("", ""))
        async with asyncio.timeout(STARTUP_TIMEOUT):
            await read_run(ws)


def serve(upstreams: list[str], address: str, port: int, tmp: Path) -> None:
    """supervisord in the foreground (its own lines, a process exited or
    spawned, on stderr): the backends, then nginx once they answer, until it stops."""
    processes = subprocess.Popen([sys.executable, "-m", "supervisor.supervisord", "-c",
                                  str(tmp / "supervisord.conf")],
                                 stdin=subprocess.DEVNULL, stdout=sys.stderr)
    try:
        for upstream in upstreams:
            host, upstream_port = upstream.rsplit(":", 1)
            wait_healthy(int(upstream_port), processes, host)
            asyncio.run(open_home_page(host, int(upstream_port)))
        supervisor(tmp).supervisor.startProcess("nginx")
        wait_healthy(port, processes, HOST if address == "0.0.0.0" else address)
        backends = ", ".join(f"backend {number} {upstream}"
                             for number, upstream in enumerate(upstreams, start=1))
        print(f"Lecture hall: http://{address}:{port}/ -> {backends} (Ctrl+C stops it)",
              flush=True)
        processes.wait()
    except KeyboardInterrupt:
        pass
    finally:
        # supervisord stops nginx first (no new requests to processes going
        # away), then each Streamlit process with its training workers.
        if processes.poll() is None:
            processes.terminate()
        try:
            processes.wait(timeout=30)
        except subprocess.TimeoutExpired:
            processes.kill()
            processes.wait()


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
                        help="print the nginx and supervisord configurations and exit")
    args = parser.parse_args()
    if args.processes < 0 or args.processes + len(args.upstream) < 1:
        parser.error("needs at least one process: --processes >= 1 or an --upstream")
    if not Path(NGINX).exists():
        parser.error(f"nginx not found at {NGINX}: apt-get install nginx")

    ports = [free_port() for _ in range(args.processes)]
    upstreams = [f"{HOST}:{port}" for port in ports] + args.upstream
    # The processes share the cores: one training worker per core in all.
    workers = max(1, (os.cpu_count() or 2) // max(1, args.processes))
    with tempfile.TemporaryDirectory(prefix="recdemo-hall-") as folder:
        tmp = Path(folder)
        # nginx's workers (nobody, when started as root) write their temporary
        # files in folders that nginx makes theirs, in this one: they must reach them.
        tmp.chmod(0o711)
        (tmp / "nginx.conf").write_text(nginx_config(upstreams, f"{args.address}:{args.port}",
                                                     tmp))
        (tmp / "supervisord.conf").write_text(supervisor_config(ports, workers, tmp))
        if args.print_config:
            print((tmp / "nginx.conf").read_text())
            print((tmp / "supervisord.conf").read_text())
            return
        # SIGTERM (a benchmark or a service manager stopping the hall) stops everything too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        serve(upstreams, args.address, args.port, tmp)


if __name__ == "__main__":
    main()
