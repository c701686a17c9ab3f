#!/usr/bin/env python3
"""The workbench in a real browser: headless Chromium driven by Playwright, on the demo data.

Usage:
  browser_check.py OPPGRAPH_BIN SCREENSHOT_DIR
      Builds a demo data dir, plants an award whose source URL is `javascript:...`, serves it on
      127.0.0.1 with a crawler pointed at a local fixture site, and works every screen the way
      its users do: signs in through each role's link, filters, clicks, answers the prompts, and
      checks what the page shows. Screenshots of every screen (and the lead list and detail at
      phone width) go to SCREENSHOT_DIR. Exits non-zero on the first failed check.
  browser_check.py OPPGRAPH_BIN SCREENSHOT_DIR --timing DATA_DIR
      Serves an existing data dir (e.g. `oppgraph gen --enterprises 100000`, imported and mined)
      and prints the page load time of a manager's lead list and lead detail (median of 5).

Chromium is Debian's (`chromium`); Playwright only drives it (no browser download).
"""
import http.server
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.parse
import urllib.request

from playwright.sync_api import sync_playwright

BIN, SHOTS = sys.argv[1], sys.argv[2]
TIMING = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--timing" else None
os.makedirs(SHOTS, exist_ok=True)
CHROMIUM = next(p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
                if os.path.exists(p))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1300, "height": 1000}
checks = 0


def check(condition, what):
    global checks
    checks += 1
    if not condition:
        print(f"FAIL: {what}")
        sys.exit(1)
    print(f"ok: {what}")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def serve(data, crawlers=None):
    addr = f"127.0.0.1:{free_port()}"
    args = [BIN, "--data", data, "serve", "--addr", addr, "--no-push"]
    args += ["--crawlers", crawlers] if crawlers else ["--no-crawl"]
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://{addr}"
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/readyz")
            return server, base
        except urllib.error.HTTPError:
            time.sleep(0.2)  # up, still catching up
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def api(base, path, token, body=None):
    request = urllib.request.Request(base + path, method="POST" if body is not None else "GET",
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def signin(browser, base, token, page_path, viewport=DESKTOP):
    """A fresh browser context (its own cookies) signed in through the link `demo` prints."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    errors = []
    # The message and where it was thrown, so a failure in CI can be traced.
    page.on("pageerror", lambda e: errors.append(f"{e.message} ({page.url}) {(e.stack or '').strip()[:600]}"))
    page.goto(f"{base}/signin?token={token}&next={urllib.parse.quote(page_path, safe='')}")
    page.wait_for_load_state("networkidle")
    page.errors = errors
    return page


def settle(page):
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)


def shot(page, name, full=True):
    page.screenshot(path=os.path.join(SHOTS, name), full_page=full)


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def tokens_of(data):
    by_role = {}
    for t in tomllib.load(open(os.path.join(data, "config.toml"), "rb"))["token"]:
        by_role.setdefault(t["role"], []).append(t)
    return by_role


def timing():
    """Page load of the lead list and a lead's detail for a manager (their own leads) and for an
    admin (every live lead), median of 5 navigations each."""
    server, base = serve(TIMING)
    try:
        by_role = tokens_of(TIMING)
        callers = []
        if by_role.get("manager"):
            callers.append(("manager", max(by_role["manager"],
                                           key=lambda t: len(api(base, "/api/opportunities?limit=1000", t["token"])))))
        if by_role.get("admin"):
            callers.append(("admin", by_role["admin"][0]))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for role, caller in callers:
                lead = api(base, "/api/opportunities?limit=1", caller["token"])[0]
                total = api(base, "/api/opportunities/counts", caller["token"])["total"]
                page = signin(browser, base, caller["token"], "/leads")
                for name, path, ready in [("lead list", "/leads", ".lead"),
                                          ("lead detail", f"/leads/{lead['id']}", "#network canvas")]:
                    times = []
                    for _ in range(5):
                        start = time.perf_counter()
                        page.goto(base + path)
                        page.wait_for_selector(ready)
                        times.append((time.perf_counter() - start) * 1000)
                    print(f"{role} ({total} live leads) {name}: page load median {statistics.median(times):.0f} ms "
                          f"(min {min(times):.0f}, max {max(times):.0f}; navigation to content drawn)")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


class Site(http.server.BaseHTTPRequestHandler):
    """A notice site on 127.0.0.1 for the crawler the admin runs: one list page, one notice."""
    pages = {
        "/robots.txt": "User-agent: *\nAllow: /\n",
        "/list.html": '<html><body><ul class="list"><li><a href="/n1.html">宜昌市第一中学校服采购项目中标公告</a>'
                      '<span>2026-11-18</span></li></ul></body></html>',
        "/n1.html": '<html><head><title>宜昌市第一中学校服采购项目中标公告</title></head><body><div class="content">'
                    '<h1>宜昌市第一中学校服采购项目中标公告</h1><p>项目编号：YC-2026-1101</p>'
                    '<p>采购人：宜昌市第一中学</p><p>中标人：宜昌市浏览器测试服装有限公司</p>'
                    '<p>中标金额：1,280,000.00元</p><p>发布时间：2026-11-18</p></div></body></html>',
    }

    def do_GET(self):
        body = self.pages.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write((body or "").encode())

    def log_message(self, *args):
        pass


def main():
    work = tempfile.mkdtemp()
    data = os.path.join(work, "data")
    subprocess.run([BIN, "--data", data, "demo", "--no-serve"], check=True, capture_output=True)
    by_role = tokens_of(data)
    manager, other = by_role["manager"][0], by_role["manager"][1]
    admin, risk, analyst = by_role["admin"][0], by_role["risk"][0], by_role["analyst"][0]

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    crawlers = os.path.join(work, "crawlers")
    os.makedirs(crawlers)
    with open(os.path.join(crawlers, "local-awards.toml"), "w") as f:
        f.write(f'kind = "tenders"\nstart = ["http://127.0.0.1:{site.server_port}/list.html"]\n'
                f'schedule = "0 8 * * *"\nrate_per_minute = 600\n\n[list]\nitem = "ul.list li"\nlinks = "a[href]"\n\n'
                f'[detail]\ncontent = "div.content"\n')

    server, base = serve(data, crawlers)
    try:
        leads = api(base, "/api/opportunities?limit=1000", manager["token"])
        target = leads[0]
        tenders = os.path.join(work, "tenders.csv")
        with open(tenders, "w") as f:
            f.write("id,kind,title,published,buyer,winner,amount,url\n")
            f.write(f"xss1,award,脚本链接测试项目中标结果公告,{target['evidence'][0]['published'] if target['evidence'] else '2026-11-01'},"
                    f"宜昌市教育局,{target['enterprise']['name']},8800000,javascript:alert(document.cookie)\n")
        upload = urllib.request.Request(base + "/api/import?name=tenders.csv", data=open(tenders, "rb").read(),
                                        method="POST", headers={"Authorization": f"Bearer {admin['token']}"})
        urllib.request.urlopen(upload).read()
        planted = None
        for _ in range(100):  # mining runs after an import
            planted = next((l for l in api(base, "/api/opportunities?limit=1000&include_suppressed=true", admin["token"])
                            if any(e["record"] == "xss1" for e in l["evidence"])), None)
            if planted:
                break
            time.sleep(0.3)
        check(planted is not None, "the planted award became a lead")
        leads = api(base, "/api/opportunities?limit=1000", manager["token"])

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            manager_screens(browser, base, manager, other, leads, planted, by_role)
            risk_screens(browser, base, risk, manager, leads)
            analyst_screens(browser, base, analyst, leads)
            admin_screens(browser, base, admin)
            phone_screens(browser, base, by_role, leads)
            browser.close()
        print(f"{checks} browser checks passed; screenshots in {SHOTS}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        site.shutdown()


def manager_screens(browser, base, manager, other, leads, planted, by_role):
    page = signin(browser, base, manager["token"], "/leads")
    settle(page)
    check(page.url.endswith("/leads") and "商机列表" in page.inner_text("h2"), "a manager's link opens the lead list")
    check(manager.get("user", "") in page.inner_text("#who") and "客户经理" in page.inner_text("#who"),
          "the header names the manager and the role")
    check(not page.is_visible("header nav a[href='/risk']"), "the menu holds only the manager's screens")
    ids = page.eval_on_selector_all(".lead", "els => els.map(e => e.dataset.id)")
    own = {l["id"] for l in leads}
    check(ids and all(i in own for i in ids), "the list holds only the manager's own leads")
    shot(page, "leads.png")

    # Filter by tier with the form, as a user does: the address keeps the filter.
    page.select_option("select[name=tier]", "A")
    page.click("form.filters button.primary")
    settle(page)
    tiers = page.eval_on_selector_all(".lead .tag.tier", "els => els.map(e => e.textContent)")
    check("tier=A" in page.url and tiers and all(t == "A类" for t in tiers), "a manager filters the list by tier")
    expected = sum(1 for l in leads if l["tier"] == "A")
    check(f"共 {expected} 条" in page.inner_text("main"), "the count under the filter is right")
    page.select_option("select[name=order]", "due")
    page.click("form.filters button.primary")
    settle(page)
    dues = page.eval_on_selector_all(".lead .top .muted", "els => els.map(e => e.textContent.match(/\\d{4}-\\d{2}-\\d{2}/)[0])")
    check(dues == sorted(dues), "sorting by due date orders the cards")

    # Open a lead by clicking it; give feedback with a click; reload: it stays.
    page.goto(base + "/leads")
    settle(page)
    first = page.eval_on_selector(".lead", "e => e.dataset.id")
    page.click(".lead a.name")
    settle(page)
    check(page.url.endswith(f"/leads/{first}") and "评分构成" in page.inner_text("main"), "a click opens the lead detail")
    check(page.is_visible("#score-chart canvas"), "the score breakdown is drawn as a chart")
    check(page.is_visible("#network canvas"), "the detail draws the enterprise's relationship network")
    page.click("button[data-status=contacted]")
    page.locator("#msg", has_text="已记录反馈").wait_for()
    page.reload()
    settle(page)
    text = page.inner_text("main")
    check("状态 已联系" in text and manager.get("user", "") in page.inner_text("table.facts"),
          "feedback given by a click persists, with who gave it in the history")
    shot(page, "lead.png")
    page.click("a[href='?depth=2']")
    settle(page)
    check(page.is_visible("#network canvas") and "只看一层" in page.inner_text("main"), "the network opens to two steps")
    # A force layout spreads two steps past its box; the view is fitted to where the nodes end up.
    nodes, outside = page.evaluate("""() => {
        const c = charts.find((c) => c.getDom().id === "network");
        const data = c.getModel().getSeriesByIndex(0).getData();
        let outside = 0;
        data.each((i) => {
            const [x, y] = c.convertToPixel({ seriesIndex: 0 }, data.getItemLayout(i));
            if (!(x >= 0 && y >= 0 && x <= c.getWidth() && y <= c.getHeight())) outside++;
        });
        return [data.count(), outside];
    }""")
    check(nodes > 1 and outside == 0, f"every node of the two-step network is inside its box ({outside} of {nodes} outside)")
    shot(page, "lead-two-steps.png")

    # Invalid needs a reason: the prompt is answered.
    second = next(l for l in leads if l["id"] != first)
    page.goto(base + f"/leads/{second['id']}")
    settle(page)
    page.once("dialog", lambda d: d.accept("招标代理机构"))
    page.click("button[data-status=invalid]")
    page.locator("#msg", has_text="已记录反馈").wait_for()
    check("招标代理机构" in page.inner_text("main"), "an invalid lead keeps its reason in the history")

    # The enterprise page, from the lead's title.
    page.goto(base + f"/leads/{first}")
    settle(page)
    page.click("main h2 a")
    settle(page)
    text = page.inner_text("main")
    check("/enterprises/" in page.url and "统一社会信用代码" in text and "股东与实际控制人" in text and "企业动态" in text,
          "the enterprise page shows registration, owners and the timeline")
    check(page.locator("ul.timeline li").count() > 0, "the enterprise's records are on its timeline")
    shot(page, "enterprise.png")

    # The planted javascript: URL stays text.
    owner = next((t for t in by_role["manager"] if t.get("manager") == planted["manager"]), None)
    viewer = page if owner is manager else signin(browser, base, (owner or by_role["admin"][0])["token"], "/leads")
    viewer.goto(base + f"/leads/{planted['id']}")
    settle(viewer)
    check("脚本链接测试项目中标结果公告" in viewer.inner_text("main"), "the planted evidence shows")
    check(viewer.locator("a[href^='javascript' i]").count() == 0, "a javascript: URL in the data never becomes a link")

    # Another manager's lead is out of reach.
    theirs = api(base, "/api/opportunities?limit=1", other["token"])
    if theirs:
        page.goto(base + f"/leads/{theirs[0]['id']}")
        settle(page)
        check("评分构成" not in page.inner_text("main") and "无权" in page.inner_text("#msg"),
              "a manager cannot open another manager's lead")

    # Phone width: no sideways scrolling on the list and the detail.
    phone = signin(browser, base, manager["token"], "/leads", viewport=PHONE)
    settle(phone)
    check(no_sideways_scroll(phone), "the lead list fits a phone's width")
    shot(phone, "leads-phone.png")
    phone.goto(base + f"/leads/{first}")
    settle(phone)
    check(no_sideways_scroll(phone) and phone.is_visible("#score-chart canvas"), "the lead detail fits a phone's width")
    shot(phone, "lead-phone.png")
    check(not page.errors and not phone.errors, f"no script errors on the manager's screens {page.errors + phone.errors}")


def risk_screens(browser, base, risk, manager, leads):
    page = signin(browser, base, risk["token"], "/risk")
    settle(page)
    check("风险复核" in page.inner_text("h2"), "risk staff open on the review queue")
    shot(page, "risk.png")
    alerts = api(base, "/api/alerts?state=pending&limit=500", risk["token"])
    check(page.locator(".lead[data-alerts]").count() == len({a["record"] for a in alerts}),
          "each risk event is listed once, with every enterprise it reaches")
    own = {l["id"] for l in leads}
    alert = next((a for a in alerts if a["opportunity"] in own), None)
    check(alert is not None, "a pending alert touches the manager's leads")
    card = page.locator(f".lead[data-alerts*='{alert['id']}']")
    page.once("dialog", lambda d: d.accept("浏览器测试：关联方被执行"))
    card.locator("button[data-decision=block]").click()
    card.wait_for(state="detached")
    history = page.inner_text("table.facts")
    check("拦截" in history and risk.get("user", "") in history and "浏览器测试" in history,
          "the review history names who blocked, with the comment")
    mgr = signin(browser, base, manager["token"], "/leads?order=score")
    settle(mgr)
    ids = []
    for _ in range(40):  # every page of the list
        ids += mgr.eval_on_selector_all(".lead", "els => els.map(e => e.dataset.id)")
        if not mgr.is_visible("text=下一页"):
            break
        mgr.click("text=下一页")
        settle(mgr)
    check(alert["opportunity"] not in ids, "the blocked event's lead left the manager's list")


def analyst_screens(browser, base, analyst, leads):
    page = signin(browser, base, analyst["token"], "/graph")
    settle(page)
    check("关系图谱" in page.inner_text("h2"), "an analyst's link opens the graph explorer")
    names = [l["enterprise"]["name"] for l in leads[:2]]
    page.fill("input[name=from]", names[0])
    page.click("form.filters button.primary")
    settle(page)
    check(page.is_visible("#network canvas") and "关系网络" in page.inner_text("main"), "an analyst finds an enterprise by name")
    check("实际控制人" in page.inner_text("main"), "the network shows the actual controller")
    shot(page, "network.png")
    with page.expect_download() as download:
        page.click("text=导出 GraphML")
    content = open(download.value.path(), encoding="utf-8").read()
    check("<graphml" in content and names[0] in content, "the network exports as GraphML")
    page.fill("input[name=to]", names[1])
    page.click("form.filters button.primary")
    settle(page)
    text = page.inner_text("main")
    check("路径" in text and ("步）" in text or "没有路径" in text), "an analyst asks for the paths between two enterprises")
    shot(page, "graph.png")
    page.click("text=担保圈")
    settle(page)
    check("担保圈" in page.inner_text("main h3"), "guarantee circles are listed")
    page.goto(base + "/search")
    settle(page)
    page.fill("input[name=q]", "中标")
    page.click("form.filters button.primary")
    settle(page)
    check(page.locator(".snippet mark").count() > 0 and "类型：" in page.inner_text("main"),
          "search highlights the matched words, with facets")
    shot(page, "search.png")
    first_page = page.eval_on_selector_all(".lead .muted", "els => els.map(e => e.textContent)")
    page.click("text=下一页")
    settle(page)
    check("page=1" in page.url and page.eval_on_selector_all(".lead .muted", "els => els.map(e => e.textContent)") != first_page,
          "search results page on")
    region = page.locator(".facets a").first
    region_name = region.inner_text()
    region.click()
    settle(page)
    check(f"region:{region_name}" in urllib.parse.unquote_plus(page.url) and page.locator(".lead").count() > 0,
          "a region facet narrows the search")
    check(not page.errors, f"no script errors on the analyst's screens {page.errors}")


def admin_screens(browser, base, admin):
    page = signin(browser, base, admin["token"], "/crawls")
    settle(page)
    check("采集状态" in page.inner_text("h2") and "从未运行" in page.inner_text("main"), "the crawl screen lists the crawler")
    check("数据目录磁盘：剩余" in page.inner_text("#disk"), "the crawl screen shows the room on the data dir's disk")
    page.click("button[data-crawl=local-awards]")
    page.locator("main", has_text="新增 1").wait_for(timeout=30000)
    check("成功" in page.inner_text("main"), "\"run now\" crawls the site and the screen shows the run")
    shot(page, "crawls.png")
    page.goto(base + "/funnel")
    settle(page)
    check("转化漏斗" in page.inner_text("h2") and page.is_visible("#funnel-chart canvas"), "the funnel is drawn")
    shot(page, "funnel.png")
    check(not page.errors, f"no script errors on the admin's screens {page.errors}")


def phone_screens(browser, base, by_role, leads):
    """Every screen at a phone's width: nothing wider than the screen, nothing cut off."""
    enterprise = leads[0]["enterprise"]["id"]
    for role, path, name in [("manager", f"/enterprises/{enterprise}", "enterprise-phone.png"),
                             ("manager", "/search?q=%E4%B8%AD%E6%A0%87", "search-phone.png"),
                             ("risk", "/risk", "risk-phone.png"),
                             ("analyst", f"/graph?from={enterprise}", "graph-phone.png"),
                             ("admin", "/crawls", "crawls-phone.png"),
                             ("admin", "/funnel", "funnel-phone.png")]:
        page = signin(browser, base, by_role[role][0]["token"], path, viewport=PHONE)
        settle(page)
        shot(page, name)
        check(no_sideways_scroll(page) and not page.errors, f"{path} fits a phone's width")
        page.context.close()


if __name__ == "__main__":
    timing() if TIMING else main()
