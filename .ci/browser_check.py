#!/usr/bin/env python3
"""The workbench in a real browser (headless Chromium), on the demo data.

Usage: browser_check.py OPPGRAPH_BIN SCREENSHOT_DIR

Builds a demo data dir, plants an award whose source URL is `javascript:...`, mines, serves on
127.0.0.1, then signs in as each role through the sign-in link and checks what Chromium renders
(`--dump-dom` after the page's script ran). Screenshots of every screen, and of the lead list at
phone width, go to SCREENSHOT_DIR. Exits non-zero on the first failed check.
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.parse
import urllib.request

BIN, SHOTS = sys.argv[1], sys.argv[2]
os.makedirs(SHOTS, exist_ok=True)
CHROMIUM = next(c for c in ("chromium", "chromium-browser", "google-chrome") if subprocess.run(
    ["sh", "-c", f"command -v {c}"], capture_output=True).returncode == 0)
checks = 0


def check(condition, what):
    global checks
    checks += 1
    if not condition:
        print(f"FAIL: {what}")
        sys.exit(1)
    print(f"ok: {what}")


work = tempfile.mkdtemp()
data = os.path.join(work, "data")
subprocess.run([BIN, "--data", data, "demo", "--no-serve"], check=True, capture_output=True)
tokens = tomllib.load(open(os.path.join(data, "config.toml"), "rb"))["token"]
by_role = {}
for t in tokens:
    by_role.setdefault(t["role"], []).append(t)
manager, other = by_role["manager"][0], by_role["manager"][1]

# A planted award whose evidence URL is a script: it must render as text, never as a link.
port = socket.socket()
port.bind(("127.0.0.1", 0))
addr = f"127.0.0.1:{port.getsockname()[1]}"
port.close()
base = f"http://{addr}"


def api(path, token, body=None):
    request = urllib.request.Request(base + path, method="POST" if body is not None else "GET",
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


server = subprocess.Popen([BIN, "--data", data, "serve", "--addr", addr, "--no-push", "--no-crawl"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz")
            break
        except OSError:
            time.sleep(0.2)
    leads = api("/api/opportunities?limit=1000", manager["token"])
    target = leads[0]
    winner = target["enterprise"]["name"]
    tenders = os.path.join(work, "tenders.csv")
    with open(tenders, "w") as f:
        f.write("id,kind,title,published,buyer,winner,amount,url\n")
        f.write(f"xss1,award,脚本链接测试项目中标结果公告,{target['evidence'][0]['published'] if target['evidence'] else '2026-11-01'},"
                f"宜昌市教育局,{winner},8800000,javascript:alert(document.cookie)\n")
    admin = by_role["admin"][0]["token"]
    upload = urllib.request.Request(base + "/api/import?name=tenders.csv", data=open(tenders, "rb").read(), method="POST",
                                    headers={"Authorization": f"Bearer {admin}"})
    urllib.request.urlopen(upload).read()
    # Mining runs after an import; wait for a lead whose evidence is the planted award.
    planted = None
    for _ in range(100):
        planted = next((l for l in api("/api/opportunities?limit=1000&include_suppressed=true", admin)
                        if any(e["record"] == "xss1" for e in l["evidence"])), None)
        if planted:
            break
        time.sleep(0.3)
    check(planted is not None, "the planted award became a lead")

    def render(token, page, shot=None, size="1300,1000"):
        link = f"{base}/signin?token={token}&next={urllib.parse.quote(page, safe='')}"
        dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--window-size={size}",
                              "--virtual-time-budget=8000", "--dump-dom", link],
                             capture_output=True, text=True, timeout=120).stdout
        if shot:
            subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--window-size={size}",
                            "--virtual-time-budget=8000", f"--screenshot={os.path.join(SHOTS, shot)}", link],
                           capture_output=True, timeout=120)
        return dom

    m = manager["token"]
    dom = render(m, "/leads", "leads.png")
    check("商机列表" in dom and 'class="lead' in dom, "a manager signs in and sees the lead list in Chinese")
    check(all(f'data-id="{l["id"]}"' not in dom for l in leads if l["manager"] != manager.get("manager")),
          "the list holds only the manager's own leads")
    render(m, "/leads", "leads-phone.png", size="390,844")
    dom = render(m, "/leads?tier=A")
    check(re.search(r'<option value="A" selected', dom) is not None, "the tier filter lives in the address")
    owner = by_role["manager"][0] if planted["manager"] == manager.get("manager") else \
        next((t for t in by_role["manager"] if t.get("manager") == planted["manager"]), None)
    viewer = (owner or by_role["admin"][0])["token"]
    dom = render(viewer, f"/leads/{planted['id']}", "lead.png", size="1300,1300")
    check("评分构成" in dom and "脚本链接测试项目中标结果公告" in dom, "the lead detail shows the score breakdown and evidence")
    check('href="javascript' not in dom.lower(), "a javascript: URL in the data never becomes a link")
    check("<canvas" in dom, "the score breakdown is drawn as a chart (ECharts)")
    theirs = next((l for l in api("/api/opportunities?limit=1000", other["token"])), None)
    if theirs:
        dom = render(m, f"/leads/{theirs['id']}")
        check("评分构成" not in dom, "a manager cannot open another manager's lead")
    # Feedback given through the API shows on the detail page.
    api(f"/api/opportunities/{urllib.parse.quote(leads[1]['id'])}/feedback", m, {"status": "contacted"})
    dom = render(m, f"/leads/{leads[1]['id']}")
    check("已联系" in dom and "状态 已联系" in dom, "feedback persists and shows on the lead")
    dom = render(m, f"/enterprises/{leads[0]['enterprise']['id']}", "enterprise.png")
    check("统一社会信用代码" in dom, "the enterprise page shows registration facts")

    r = by_role["risk"][0]["token"]
    dom = render(r, "/risk", "risk.png")
    check("风险复核" in dom, "risk staff open on the review queue")
    alerts = api("/api/alerts?state=pending&limit=200", r)
    blocked = next((a for a in alerts if any(l["id"] == a["opportunity"] for l in leads)), None)
    if blocked:
        api(f"/api/alerts/{urllib.parse.quote(blocked['id'])}/review", r, {"decision": "block", "note": "浏览器测试"})
        dom = render(m, "/leads?page=0")
        check(f'data-id="{blocked["opportunity"]}"' not in dom, "a blocked event's lead leaves the manager's list")
        dom = render(r, "/risk")
        reviewer = by_role["risk"][0].get("user", "")
        check("复核记录" in dom and "拦截" in dom and reviewer in dom, "the review history names who decided, and when")

    a = by_role["analyst"][0]["token"]
    ids = [l["enterprise"]["id"] for l in leads[:2]]
    dom = render(a, f"/graph?from={ids[0]}&to={ids[1]}", "graph.png")
    check("路径" in dom and ("步）" in dom or "没有路径" in dom), "an analyst asks for paths between two enterprises")
    dom = render(a, f"/graph?from={ids[0]}", "network.png", size="1300,1100")
    check("关系网络" in dom and "<canvas" in dom, "an analyst sees an enterprise's relationship network")
    name = leads[0]["enterprise"]["name"]
    dom = render(a, "/graph?from=" + urllib.parse.quote(name))
    check("关系网络" in dom and "<canvas" in dom, "an analyst finds an enterprise by its name")
    dom = render(a, "/search?q=" + urllib.parse.quote("中标"), "search.png")
    check("<mark>" in dom, "search highlights the matched words")

    admin_token = by_role["admin"][0]["token"]
    dom = render(admin_token, "/funnel", "funnel.png")
    check("转化漏斗" in dom and "产生" in dom, "the funnel page renders")
    dom = render(admin_token, "/crawls", "crawls.png")
    check("采集状态" in dom, "the crawl status page renders")
    print(f"{checks} browser checks passed; screenshots in {SHOTS}")
finally:
    server.terminate()
    server.wait(timeout=10)
