#!/usr/bin/env python3
"""HTTP throughput of an API page beside its floor: the same bytes served by nginx.

    python3 benches/peers/http_static.py URL TOKEN [--path /api/opportunities] [--seconds 15]

Fetches the page once with the bearer token, writes the body to a temporary directory, starts
nginx on 127.0.0.1 serving it as a static file (no logging, sendfile on, one worker per core),
then runs the same `wrk -t2 -c32 --latency` against oppgraph and against nginx, one after the
other, and prints both and the ratio as JSON. On one machine wrk shares the cores with the
server, so nginx's figure is what the machine gives a page of this size at all: a server
cannot do better than the static file it would be.

Needs `wrk` and `nginx` (Debian: apt-get install -y wrk nginx-light).
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def wrk(url, seconds, headers=()):
    command = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    figures = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "90", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()
        figures[f"p{pct}_ms"] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    figures["non_2xx"] = int(errors.group(1)) if errors else 0
    return figures


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("token")
    parser.add_argument("--path", default="/api/opportunities")
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            sys.exit(f"{tool} not found (apt-get install -y wrk nginx-light)")
    url = args.base.rstrip("/") + args.path
    auth = f"Authorization: Bearer {args.token}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {args.token}"})
    body = urllib.request.urlopen(request).read()

    with tempfile.TemporaryDirectory() as root:
        with open(os.path.join(root, "page.json"), "wb") as f:
            f.write(body)
        port = free_port()
        config = os.path.join(root, "nginx.conf")
        with open(config, "w") as f:
            f.write(
                f"""daemon off;
worker_processes auto;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {root};
    proxy_temp_path {root};
    fastcgi_temp_path {root};
    uwsgi_temp_path {root};
    scgi_temp_path {root};
    server {{
        listen 127.0.0.1:{port};
        location / {{ root {root}; default_type application/json; }}
    }}
}}
"""
            )
        nginx = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", config, "-p", root])
        try:
            static = f"http://127.0.0.1:{port}/page.json"
            for _ in range(50):
                try:
                    if urllib.request.urlopen(static).read() == body:
                        break
                except OSError:
                    time.sleep(0.1)
            ours = wrk(url, args.seconds, [auth])
            floor = wrk(static, args.seconds)
        finally:
            nginx.terminate()
            nginx.wait()
    print(
        json.dumps(
            {
                "path": args.path,
                "body_bytes": len(body),
                "oppgraph": ours,
                "nginx_static": floor,
                "ratio_requests": round(ours["requests_per_s"] / floor["requests_per_s"], 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
