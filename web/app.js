// The workbench: helpers, the router and the page's actions. Each screen is its own file in
// web/screens/ and registers itself with `screen(pattern, render)`. Served from /web/ (the
// Content-Security-Policy allows no inline script); the session is an HttpOnly cookie from
// /signin, so nothing secret is kept in the page.
"use strict";
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
/** A link target only for http and https addresses; anything else (javascript:, data:) is text. */
const safeUrl = (url) => {
  try {
    const parsed = new URL(String(url), location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch { return null; }
};
// Chinese labels of the API's codes, filled from /api/labels at sign-in (the same words the
// pushed messages use): lead kinds, statuses, risk kinds, score terms, relations, record and
// notice kinds.
const KIND = {}, STATUS = {}, ALERT = {}, FEATURE = {}, RELATION = {}, RECORD = {}, TENDER = {};
const label = (table, key) => table[key] || key;
/** The products as the bank names them (履约保函), else their codes. */
const productNames = (o) => (o.product_names && o.product_names.length ? o.product_names : o.products);
const yuan = (v) => v == null ? "" : v >= 1e8 ? (v / 1e8).toFixed(2) + " 亿元" : (v / 1e4).toFixed(2) + " 万元";

// The API's error codes in words; the message after them is the server's own.
const ERROR = { bad_request: "请求有误", not_found: "没有找到", conflict: "无法确定或有冲突", forbidden: "无权操作",
  unavailable: "服务暂不可用，请稍后再试", internal: "服务器出错", payload_too_large: "文件太大" };
async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options, headers: { "Content-Type": "application/json" } });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) throw new Error("未登录或会话已过期：请使用管理员发给您的登录链接重新登录。");
  if (response.status === 403) throw new Error("您的角色无权查看此页面。");
  if (!response.ok) {
    const code = body.error ? body.error.code : "";
    throw new Error(`${ERROR[code] || "请求失败"}：${body.error ? body.error.message : response.statusText}`);
  }
  return body;
}
function evidence(e) {
  const url = safeUrl(e.url);
  const title = url ? `<a href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(e.title)}</a>` : esc(e.title);
  return `<div class="evidence">${esc(e.published)} ${title} <span class="muted">[${esc(e.record)}]</span></div>`;
}
const view = $("view");
/** The charts on the screen, disposed when the screen is redrawn. */
let charts = [];
// Only a chart whose box really changed is resized, once per frame: echarts' graph view fails to
// invert its transform (a script error) when resized to the same or an empty box mid-layout, and
// a full-page screenshot or a phone's address bar fires resize without changing the box.
let resizing = false;
window.addEventListener("resize", () => {
  if (resizing) return;
  resizing = true;
  requestAnimationFrame(() => {
    resizing = false;
    for (const c of charts) {
      const box = c.getDom();
      if (box.clientWidth && box.clientHeight && (box.clientWidth !== c.getWidth() || box.clientHeight !== c.getHeight())) c.resize();
    }
  });
});
const show = (html) => {
  charts.forEach((c) => c.dispose());
  charts = [];
  view.innerHTML = html;
};
const fail = (e) => { $("msg").textContent = e.message; };
const entLink = (e) => e && e.id != null ? `<a href="${enterpriseHref(e.id)}">${esc(e.name)}</a>` : esc(e && e.name);
const bar = (value, max, cls = "") => `<span class="bar ${cls}" style="width:${Math.round(120 * Math.abs(value) / (max || 1))}px"></span>`;

/** A score's explanation split: a learned score's header item (how it was learned, worth 0),
 * if any, and the parts that add up to the score. */
const scoreParts = (why) => ({ head: why.find((w) => w.feature === "learned"), parts: why.filter((w) => w.feature !== "learned") });
/** One score part in short: 金额 +28.4. */
const partText = (w) => `${esc(label(FEATURE, w.feature))} ${w.contribution > 0 ? "+" : ""}${Number(w.contribution).toFixed(1)}`;
/** A lead's three largest score parts in one line; a learned score says so first. */
function whyLine(why) {
  const { head, parts } = scoreParts(why);
  return (head ? ["按成交学习评分"] : []).concat(parts.slice(0, 3).map(partText)).join(" · ");
}

function leadCard(o) {
  return `
    <div class="lead ${o.suppressed ? "suppressed" : ""}" data-id="${esc(o.id)}">
      <div class="top">
        <span class="score">${Number(o.score).toFixed(1)}</span>
        <span class="tag tier">${esc(o.tier)}类</span>
        <a class="name" href="/leads/${encodeURIComponent(o.id)}">${esc(o.enterprise.name)}</a>
        <span class="tag">${esc(label(KIND, o.kind))}</span>
        ${productNames(o).map((p) => `<span class="tag">${esc(p)}</span>`).join("")}
        <span class="tag status">${esc(label(STATUS, o.status))}</span>
        ${o.amount != null ? `<span class="tag">${esc(yuan(o.amount))}</span>` : ""}
        ${o.suppressed ? `<span class="tag sup">${esc(o.suppressed.reason)}</span>` : ""}
        <span class="muted">跟进截止 ${esc(o.due)} · ${esc(managerName(o.manager))}</span>
      </div>
      ${o.why_now ? `<div class="whynow">为什么现在：${esc(o.why_now)}</div>` : ""}
      <div class="muted">${whyLine(o.why)}</div>
      ${o.alerts.map((a) => `<div class="alert">⚠ ${esc(label(ALERT, a.kind))}（严重度 ${esc(a.severity)}）：${esc(a.path.join(" → "))}</div>`).join("")}
      ${feedbackButtons()}
    </div>`;
}
const feedbackButtons = () => `<div class="actions">
  <button data-status="contacted">已联系</button><button data-status="won">已成交</button>
  <button data-status="lost">已丢失</button><button data-status="invalid">无效</button></div>`;

// Record kinds, relations and timelines.
/** Any record kind or sub-kind in words (tender, award, litigation, eia_approval…). */
const kindLabel = (k) => RECORD[k] || TENDER[k] || ALERT[k] || KIND[k] || k;
/** A relation in words (持股 69%, 任职 董事长, 担保 2000.00 万元): kind, share, role unless the kind says it
 * already (法定代表人), and amount. */
const relationText = (e) => label(RELATION, e.kind) + (e.share != null ? ` ${share(e.share)}` : "")
  + (e.role && e.role !== label(RELATION, e.kind) ? ` ${e.role}` : "") + (e.amount != null ? ` ${yuan(e.amount)}` : "");
/** A moment as 2026/11/23 20:38:04 (Unix seconds or a timestamp text). */
const when = (at) => { const d = new Date(typeof at === "number" ? at * 1000 : at); return isNaN(d) ? String(at) : d.toLocaleString("zh-CN", { hour12: false }); };
const enterpriseHref = (id) => `/enterprises/${encodeURIComponent(id)}`;
/** A graph node (enterprise or person) by name; an enterprise links to its page. */
const nodeLink = (n) => n.kind === "enterprise" ? `<a href="${enterpriseHref(n.id)}">${esc(n.name)}</a>` : esc(n.name);
const share = (s) => `${Math.round(s * 1000) / 10}%`;

/** One record on a timeline: day, kind, title (a link only for http/https), amount; a share
 * freeze's facts (worded by the server, as its alert words them) under it. */
function recordLine(r) {
  const day = r.published || r.registered || r.issued || "";
  const kind = r.record === "tender" ? label(TENDER, r.kind) : r.record === "risk_event" ? label(ALERT, r.kind) : label(RECORD, r.record);
  const title = r.title || (r.record === "invoice" ? `发票 ${r.seller.name} → ${r.buyer.name}` : r.record === "pledge"
    ? `${r.pledgor.name} → ${r.pledgee.name}` : (r.enterprise && r.enterprise.name) || r.id);
  const url = safeUrl(r.url);
  const amount = r.amount != null ? r.amount : r.budget;
  return `<li class="${r.record === "risk_event" ? "risk" : ""}"><span class="day">${esc(day)}</span>
    <span class="tag">${esc(kind)}</span> ${url ? `<a href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(title)}</a>` : esc(title)}
    ${amount != null ? `<span class="muted">${esc(yuan(amount))}</span>` : ""}
    ${r.facts ? `<div class="muted">${esc(r.facts)}</div>` : ""}</li>`;
}
const timeline = (records) => records.length ? `<ul class="timeline">${records.map(recordLine).join("")}</ul>` : '<p class="muted">无</p>';

/** A relationship network as an ECharts force graph: enterprises and persons, relations
 * labelled; drag, zoom, and click an enterprise to open it (`onEnterprise(id)`). */
function networkChart(id, network, center, onEnterprise) {
  const key = (v) => String(v);
  // A network of two steps (dozens of nodes) gets a taller box than one of a few.
  if ($(id) && network.nodes.length > 12) $(id).classList.add("taller");
  // Spread for the width there is: a phone gets a tighter layout than a desk.
  const scale = Math.max(0.6, Math.min(1, (($(id) && $(id).clientWidth) || 900) / 900));
  const instance = chart(id, {
    // Drawn where the layout ends (see `force`); fitting the view during an entry animation
    // leaves the labels unshown.
    animation: false,
    tooltip: { formatter: (p) => esc(p.dataType === "edge" ? p.data.text : p.data.name) },
    // In the top left corner, away from the layout's middle, where the names of nodes
    // pushed upwards would run under a legend centred on top.
    legend: [{ data: ["企业", "个人"], top: 0, left: 0, orient: "vertical" }],
    series: [{
      type: "graph", layout: "force", roam: true, draggable: true, top: 30,
      categories: [{ name: "企业" }, { name: "个人" }],
      // Laid out at once (not animated), so that the view can be fitted to where the nodes end
      // up.
      force: network.nodes.length > 30
        ? { repulsion: 260 * scale, edgeLength: [80 * scale, 160 * scale], gravity: 0.12, layoutAnimation: false }
        : { repulsion: 900 * scale, edgeLength: [140 * scale, 230 * scale], gravity: 0.08, layoutAnimation: false },
      label: { show: true, position: "bottom", fontSize: 11, color: "#1d2129",
        formatter: (p) => p.data.name.length > 12 ? p.data.name.slice(0, 12) + "…" : p.data.name },
      edgeSymbol: ["none", "arrow"], edgeSymbolSize: 7,
      // Two relations between the same pair (法定代表人 and 董事长) bend apart, labels apart.
      autoCurveness: true,
      edgeLabel: { show: true, fontSize: 10, formatter: (p) => p.data.text },
      data: network.nodes.map((n) => ({ id: key(n.id), name: n.name, category: n.kind === "enterprise" ? 0 : 1,
        symbolSize: key(n.id) === key(center) ? 46 : 26, value: n.id, kind: n.kind })),
      links: network.edges.map((e) => ({ source: key(e.from), target: key(e.to), text: relationText(e) })),
    }],
  });
  // The layout stays still once fitted: turning its animation back on restarted the force
  // layout from where the nodes were, and under load it moved a node out of the fitted view.
  if (instance) fitNetwork(instance, 30);
  if (instance && onEnterprise) {
    instance.on("click", (p) => { if (p.dataType === "node" && p.data.kind === "enterprise") onEnterprise(p.data.value); });
  }
  return instance;
}

/** Pans a laid-out network to the middle of its box and zooms it out until every node and its
 * label is inside (a two-hop network spreads past any fixed box), never in past 1 nor out past
 * one half (where the labels, which keep their size, would run into one another; the rest is a
 * drag away). `top` is kept for the legend. */
function fitNetwork(instance, top) {
  const data = instance.getModel().getSeriesByIndex(0).getData();
  if (!data.count()) return;
  const xs = [], ys = [];
  data.each((i) => {
    const [x, y] = instance.convertToPixel({ seriesIndex: 0 }, data.getItemLayout(i));
    xs.push(x); ys.push(y);
  });
  const [left, right, up, down] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  // Room around the nodes' centres: half a wide label across, a node above, a node and its
  // label below.
  const [across, above, below] = [90, 30, 40];
  const width = instance.getWidth() - 2 * across, height = instance.getHeight() - top - above - below;
  const zoom = Math.max(0.5, Math.min(1, width / Math.max(1, right - left), height / Math.max(1, down - up)));
  const [x, y] = [instance.getWidth() / 2, top + above + height / 2];
  instance.dispatchAction({ type: "graphRoam", seriesIndex: 0, dx: x - (left + right) / 2, dy: y - (up + down) / 2 });
  if (zoom < 1) instance.dispatchAction({ type: "graphRoam", seriesIndex: 0, zoom, originX: x, originY: y });
}

/** An alert's path as a small left-to-right graph: the risk's subject first, the lead's
 * enterprise last, each step labelled with its relation and pointing the way it runs. */
function pathChart(id, alert) {
  const links = alert.links || [];
  const last = alert.path.length - 1;
  // On a hidden cartesian grid: a straight line of evenly spaced names whatever the width.
  return chart(id, {
    grid: { left: 90, right: 90, top: 10, bottom: 10 },
    xAxis: { type: "value", show: false, min: 0, max: Math.max(last, 1) },
    yAxis: { type: "value", show: false, min: -1, max: 1 },
    series: [{
      type: "graph", coordinateSystem: "cartesian2d",
      symbolSize: 14, edgeSymbol: ["none", "arrow"], edgeSymbolSize: 8,
      label: { show: true, position: "bottom", fontSize: 11, color: "#1d2129",
        formatter: (p) => p.data.name.length > 14 ? p.data.name.slice(0, 14) + "…" : p.data.name },
      edgeLabel: { show: true, fontSize: 11, formatter: (p) => p.data.text },
      lineStyle: { color: "#64748b", width: 1.5 },
      data: alert.path.map((name, i) => ({ name, value: [i, 0],
        itemStyle: { color: i === 0 ? "#e67e22" : i === last ? "#2f6fdc" : "#94a3b8" } })),
      // Nodes by position (names may repeat); a relation against the path points backwards.
      links: links.map((l, i) => ({ source: l.forward ? i : i + 1, target: l.forward ? i + 1 : i, text: l.label })),
    }],
  });
}

/** Lists come in pages of this many; `pageQuery` is the address of another page of them. */
const PAGE = 20;
const pageQuery = (params, page) => { const p = new URLSearchParams(params); p.set("page", page); return esc(p.toString()); };

/** Screens by address: [pattern, render(...captures)]. */
const SCREENS = [];
const screen = (pattern, render) => SCREENS.push([pattern, render]);
/** An ECharts chart in the element `id`, resized with the window until the screen changes. */
function chart(id, option) {
  const element = $(id);
  if (!element || typeof echarts === "undefined") return null;
  const instance = echarts.init(element);
  instance.setOption(option);
  charts.push(instance);
  return instance;
}

const ROLE = { admin: "系统管理员", manager: "客户经理", risk: "风险经理", analyst: "分析师" };
// The screens each role works with, in the order of the menu.
const MENU = { manager: ["/leads", "/search"], risk: ["/risk", "/leads", "/search", "/graph"],
  analyst: ["/graph", "/search", "/leads", "/funnel"], admin: ["/leads", "/risk", "/search", "/graph", "/crawls", "/funnel"] };
let me = null;
/** Account managers' names by id. */
let MANAGER = {};
const managerName = (id) => id ? MANAGER[id] || id : "未分配";
/** Who is signed in: their name and role in the header, and only their screens in the menu. */
async function signedIn() {
  if (me) return me;
  const [who, managers, labels] = await Promise.all([api("/api/me"), api("/api/managers"), api("/api/labels")]);
  for (const [table, key] of [[KIND, "kind"], [STATUS, "status"], [ALERT, "alert"], [FEATURE, "feature"],
    [RELATION, "relation"], [RECORD, "record"], [TENDER, "tender"]]) Object.assign(table, labels[key]);
  me = who;
  MANAGER = Object.fromEntries(managers.map((m) => [m.id, m.name]));
  $("who").textContent = `${me.user} · ${label(ROLE, me.role)}`;
  const mine = MENU[me.role] || [];
  document.querySelectorAll("header nav a").forEach((a) => { a.hidden = !mine.includes(a.getAttribute("href")); });
  return me;
}

async function route() {
  $("msg").textContent = "";
  try { await signedIn(); } catch (e) { fail(e); show(""); return; }
  for (const [pattern, page] of SCREENS) {
    const m = location.pathname.match(pattern);
    if (m) {
      document.querySelectorAll("header nav a").forEach((a) => a.classList.toggle("here", a.getAttribute("href") === location.pathname));
      try { await page(...m.slice(1).map(decodeURIComponent)); } catch (e) { fail(e); show(""); }
      return;
    }
  }
  show('<p class="muted">没有这个页面。</p>');
}

view.addEventListener("click", async (event) => {
  const target = event.target;
  try {
    if (target.dataset.decision) {
      // One decision on a risk event covers every enterprise it reaches.
      const ids = target.closest(".lead").dataset.alerts.split(",");
      const note = prompt("备注（可选）") || null;
      for (const id of ids) {
        await api(`/api/alerts/${encodeURIComponent(id)}/review`, { method: "POST", body: JSON.stringify({ decision: target.dataset.decision, note }) });
      }
      await route();
    } else if (target.dataset.status) {
      const id = target.closest(".lead").dataset.id;
      const body = { status: target.dataset.status };
      if (body.status === "invalid" || body.status === "lost") {
        const reason = prompt("原因");
        if (body.status === "invalid" && !reason) return;
        body.reason = reason || null;
      }
      await api(`/api/opportunities/${encodeURIComponent(id)}/feedback`, { method: "POST", body: JSON.stringify(body) });
      await route();
      $("msg").textContent = "已记录反馈";
    } else if (target.dataset.crawl) {
      await api(`/api/crawls/${encodeURIComponent(target.dataset.crawl)}/run`, { method: "POST" });
      $("msg").textContent = "已开始采集";
      setTimeout(route, 2000);
    }
  } catch (e) { fail(e); }
});
document.addEventListener("DOMContentLoaded", route);
