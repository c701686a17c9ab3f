// The workbench page's script (served as /ui.js: the Content-Security-Policy allows no inline
// script). The session is an HttpOnly cookie from /signin; nothing secret is kept in the page.
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
// Chinese labels of the API's codes (the same words the pushed messages use).
const KIND = { tender_award: "中标", pledge_refinancing: "质押/抵押到期", supply_chain: "供应链", eia_approval: "环评批复",
  bond_issue: "发债", merger: "并购", capital_increase: "增资", new_branch: "新设分支机构", financing_elsewhere: "他行融资",
  group_cross_sell: "集团交叉销售", executive_network: "高管关联" };
const STATUS = { new: "新商机", pushed: "已推送", contacted: "已联系", won: "已成交", lost: "已丢失", invalid: "无效", blocked: "已拦截" };
const ALERT = { litigation: "诉讼", enforcement: "被执行", dishonest: "失信被执行", share_reduction: "股东减持",
  credit_rejection: "授信被拒", financing_cost: "融资成本上升", admin_penalty: "行政处罚", abnormal_operation: "经营异常",
  equity_freeze: "股权冻结", bankruptcy: "破产" };
const label = (table, key) => table[key] || key;
const yuan = (v) => v == null ? "" : v >= 1e8 ? (v / 1e8).toFixed(2) + " 亿元" : (v / 1e4).toFixed(2) + " 万元";

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options, headers: { "Content-Type": "application/json" } });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) throw new Error("未登录或会话已过期：请使用管理员发给您的登录链接重新登录。");
  if (response.status === 403) throw new Error("您的角色无权查看此页面。");
  if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
  return body;
}
function evidence(e) {
  const url = safeUrl(e.url);
  const title = url ? `<a href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(e.title)}</a>` : esc(e.title);
  return `<div class="evidence">📄 ${esc(e.published)} ${title} <span class="muted">[${esc(e.record)}]</span></div>`;
}
const FEATURE = { kind: "商机类型", amount: "金额", recency: "事件新近", urgency: "临近到期", size: "企业规模",
  listed: "上市公司", relationship: "与我行客户相关", feedback: "同类商机反馈", risk: "风险预警", learned: "学习模型" };
const view = $("view");
const show = (html) => { view.innerHTML = html; };
const fail = (e) => { $("msg").textContent = e.message; };
const entLink = (e) => e && e.id != null ? `<a href="/enterprises/${encodeURIComponent(e.id)}">${esc(e.name)}</a>` : esc(e && e.name);
const bar = (value, max, cls = "") => `<span class="bar ${cls}" style="width:${Math.round(120 * Math.abs(value) / (max || 1))}px"></span>`;

function leadCard(o) {
  return `
    <div class="lead ${o.suppressed ? "suppressed" : ""}" data-id="${esc(o.id)}">
      <div class="top">
        <span class="score">${Number(o.score).toFixed(1)}</span>
        <span class="tag tier">${esc(o.tier)}类</span>
        <a class="name" href="/leads/${encodeURIComponent(o.id)}">${esc(o.enterprise.name)}</a>
        <span class="tag">${esc(label(KIND, o.kind))}</span>
        ${o.products.map((p) => `<span class="tag">${esc(p)}</span>`).join("")}
        <span class="tag status">${esc(label(STATUS, o.status))}</span>
        ${o.amount != null ? `<span class="tag">${esc(yuan(o.amount))}</span>` : ""}
        ${o.suppressed ? `<span class="tag sup">${esc(o.suppressed.reason)}</span>` : ""}
        <span class="muted">跟进截止 ${esc(o.due)} · ${o.manager ? esc(o.manager) : "未分配"}</span>
      </div>
      ${o.why_now ? `<div class="whynow">为什么现在：${esc(o.why_now)}</div>` : ""}
      <div class="muted">${o.why.slice(0, 3).map((w) => `${esc(label(FEATURE, w.feature))} ${w.contribution > 0 ? "+" : ""}${Number(w.contribution).toFixed(1)}`).join(" · ")}</div>
      ${o.alerts.map((a) => `<div class="alert">⚠ ${esc(label(ALERT, a.kind))}（严重度 ${esc(a.severity)}）：${esc(a.path.join(" → "))}</div>`).join("")}
      ${feedbackButtons()}
    </div>`;
}
const feedbackButtons = () => `<div class="actions">
  <button data-status="contacted">已联系</button><button data-status="won">已成交</button>
  <button data-status="lost">已丢失</button><button data-status="invalid">无效</button></div>`;

/** 商机列表: filters by tier, kind and status, counts per tier, pages of 20; the filters live in
 * the address so a filtered list can be bookmarked. */
async function pageLeads() {
  const params = new URLSearchParams(location.search);
  const all = await api("/api/opportunities?limit=1000" + (params.get("suppressed") ? "&include_suppressed=true" : ""));
  const pick = (key) => params.get(key) || "";
  const shown = all.filter((o) => (!pick("tier") || o.tier === pick("tier")) && (!pick("kind") || o.kind === pick("kind"))
    && (!pick("status") || o.status === pick("status")));
  const page = Math.max(0, Number(params.get("page") || 0));
  const counts = ["A", "B", "C"].map((t) => `${t}类 ${all.filter((o) => o.tier === t).length}`).join(" · ");
  const options = (table, key) => `<option value="">全部</option>` + Object.entries(table).map(([k, v]) =>
    `<option value="${esc(k)}" ${pick(key) === k ? "selected" : ""}>${esc(v)}</option>`).join("");
  show(`<h2>商机列表 <span class="muted">${counts}</span></h2>
    <form class="filters" method="get" action="/leads">
      <label>分层 <select name="tier">${options({ A: "A类", B: "B类", C: "C类" }, "tier")}</select></label>
      <label>类型 <select name="kind">${options(KIND, "kind")}</select></label>
      <label>状态 <select name="status">${options(STATUS, "status")}</select></label>
      <label><input type="checkbox" name="suppressed" value="1" ${params.get("suppressed") ? "checked" : ""}> 含已抑制</label>
      <button class="primary">筛选</button>
    </form>
    <p class="muted">共 ${shown.length} 条</p>
    ${shown.slice(page * 20, page * 20 + 20).map(leadCard).join("") || '<p class="muted">没有商机</p>'}
    <nav class="pager">${page > 0 ? `<a href="?${pageQuery(params, page - 1)}">上一页</a>` : ""}
      ${(page + 1) * 20 < shown.length ? `<a href="?${pageQuery(params, page + 1)}">下一页</a>` : ""}</nav>`);
}
const pageQuery = (params, page) => { const p = new URLSearchParams(params); p.set("page", page); return esc(p.toString()); };

/** 商机详情: the score broken down, why now, evidence, alerts with their paths. */
async function pageLead(id) {
  const o = await api(`/api/opportunities/${encodeURIComponent(id)}`);
  const max = Math.max(...o.why.map((w) => Math.abs(w.contribution)), 1);
  show(`<h2>${entLink(o.enterprise)} <span class="tag tier">${esc(o.tier)}类</span> <span class="tag">${esc(label(KIND, o.kind))}</span></h2>
    <div class="lead" data-id="${esc(o.id)}">
      <p class="whynow">为什么现在：${esc(o.why_now)}</p>
      <p>评分 <b>${Number(o.score).toFixed(1)}</b> · ${o.amount != null ? esc(yuan(o.amount)) + " · " : ""}状态 ${esc(label(STATUS, o.status))} ·
        跟进截止 ${esc(o.due)} · 客户经理 ${o.manager ? esc(o.manager) : "未分配"}</p>
      <h3>评分构成</h3>
      <table class="why">${o.why.map((w) => `<tr><td class="${w.contribution < 0 ? "minus" : "plus"}">${w.contribution > 0 ? "+" : ""}${Number(w.contribution).toFixed(1)}</td>
        <td>${bar(w.contribution, max, w.contribution < 0 ? "neg" : "")}</td><td>${esc(label(FEATURE, w.feature))}</td><td class="muted">${esc(w.detail)}</td></tr>`).join("")}</table>
      <h3>推荐产品</h3><p>${o.products.map((p) => `<span class="tag">${esc(p)}</span>`).join(" ") || "无"}</p>
      <h3>证据</h3>${o.evidence.map(evidence).join("") || '<p class="muted">无</p>'}
      <h3>风险预警</h3>${o.alerts.map((a) => `<div class="alert">⚠ ${esc(label(ALERT, a.kind))}（严重度 ${esc(a.severity)}）
        <div class="path">${a.path.map((step) => `<span class="node">${esc(step)}</span>`).join('<span class="edge">→</span>')}</div>
        <div class="muted">${esc(a.detail)}</div></div>`).join("") || '<p class="muted">无</p>'}
      ${feedbackButtons()}
    </div>`);
}

/** 企业画像: registration facts, then its leads. */
async function pageEnterprise(id) {
  const e = await api(`/api/enterprises/${encodeURIComponent(id)}`);
  const rows = Object.entries(e).filter(([, v]) => v != null && v !== "" && !(Array.isArray(v) && !v.length) && typeof v !== "object"
    || Array.isArray(v) && v.length);
  const NAMES = { id: "编号", name: "名称", uscc: "统一社会信用代码", region: "地区", industry: "行业", registered_capital: "注册资本",
    established: "成立日期", legal_rep: "法定代表人", aliases: "曾用名/别名", size: "规模", listed: "上市公司", is_customer: "我行客户",
    manager_id: "客户经理", status: "经营状态", discovered_from: "发现于" };
  const SIZE = { micro: "微型", small: "小型", medium: "中型", large: "大型" };
  const value = (k, v) => typeof v === "boolean" ? (v ? "是" : "否") : k === "registered_capital" ? yuan(v) : k === "size" ? label(SIZE, v)
    : Array.isArray(v) ? v.join("、") : v;
  let leads = [];
  try { leads = (await api("/api/opportunities?limit=1000")).filter((o) => String(o.enterprise.id) === String(id)); } catch { /* role */ }
  show(`<h2>${esc(e.name)}</h2>
    <table class="facts">${rows.map(([k, v]) => `<tr><th>${esc(NAMES[k] || k)}</th><td>${esc(value(k, v))}</td></tr>`).join("")}</table>
    <p><a href="/graph?from=${encodeURIComponent(id)}">在关系图谱中查看</a></p>
    <h3>商机</h3>${leads.map(leadCard).join("") || '<p class="muted">无</p>'}`);
}

/** 搜索: the query language of `oppgraph search`, snippets highlighted, facets. */
async function pageSearch() {
  const q = new URLSearchParams(location.search).get("q") || "";
  let results = "";
  if (q) {
    const r = await api(`/api/search?q=${encodeURIComponent(q)}&limit=50&facets=true`);
    const mark = (snippet) => esc(snippet).replace(/&lt;b&gt;/g, "<mark>").replace(/&lt;\/b&gt;/g, "</mark>");
    results = `<p class="muted">共 ${r.total} 条</p>
      ${r.facets ? `<p class="muted">${r.facets.kind.map(([k, n]) => `${esc(k)} ${n}`).join(" · ")}</p>` : ""}
      ${r.hits.map((h) => `<div class="lead"><div class="top"><span class="tag">${esc(h.subkind)}</span><b>${esc(h.title)}</b>
        <span class="muted">${esc(h.published)} [${esc(h.id)}]</span></div><div class="snippet">${mark(h.snippet)}</div></div>`).join("")}`;
  }
  show(`<h2>搜索</h2><form method="get" action="/search" class="filters"><input name="q" size="40" value="${esc(q)}" placeholder="例如：运动服 AND 宜昌">
    <button class="primary">搜索</button></form>${results}`);
}

/** 风险复核: each pending alert with the lead it touches; accept, dismiss or block. */
async function pageRisk() {
  const alerts = await api("/api/alerts?state=pending&limit=200");
  show(`<h2>风险复核 <span class="muted">待复核 ${alerts.length} 条</span></h2>` + (alerts.map((a) => `
    <div class="lead" data-alert="${esc(a.id)}">
      <div class="top"><span class="score">${esc(a.severity)}</span><span class="name">${entLink(a.enterprise)}</span>
        <span class="tag">${esc(label(ALERT, a.kind))}</span><a class="muted" href="/leads/${encodeURIComponent(a.opportunity)}">商机 ${esc(a.opportunity)}</a></div>
      <div class="alert">${esc(a.path.join(" → "))}：${esc(a.detail)} <span class="muted">[${esc(a.record)}]</span></div>
      <div class="actions"><button data-decision="accept">确认</button><button data-decision="dismiss">忽略</button><button data-decision="block">拦截</button></div>
    </div>`).join("") || '<p class="muted">没有待复核的预警</p>'));
}

/** 关系图谱: paths between two enterprises (by id), and one enterprise's neighbours. */
async function pageGraph() {
  const params = new URLSearchParams(location.search);
  const from = params.get("from") || "", to = params.get("to") || "";
  let out = "";
  if (from && to) {
    const paths = await api(`/api/graph/path?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=5`);
    out = `<h3>路径</h3>` + (paths.map((p) => `<div class="path">${pathHtml(p)}</div>`).join("") || '<p class="muted">两者之间没有路径</p>');
  } else if (from) {
    const n = await api(`/api/graph/neighbors/${encodeURIComponent(from)}`);
    out = `<h3>关联方</h3><table class="facts">${(n.nodes || []).map((node) => `<tr><td>${node.kind === "enterprise" ? `<a href="/enterprises/${encodeURIComponent(node.id)}">${esc(node.name)}</a>` : esc(node.name)}</td><td class="muted">${esc(node.kind)}</td></tr>`).join("")}</table>`;
  }
  show(`<h2>关系图谱</h2><form method="get" action="/graph" class="filters">
    <label>企业编号 <input name="from" value="${esc(from)}" size="10"></label>
    <label>到（可选） <input name="to" value="${esc(to)}" size="10"></label><button class="primary">查询</button></form>${out}`);
}
const RELATION = { shareholder: "持股", officer: "任职", legal_rep: "法定代表人", guarantee: "担保", supplier: "供货",
  tender: "中标", pledge: "质押", branch: "分支机构", control: "协议控制" };
/** A path as nodes joined by their relations: 甲 —持股 69%→ 乙 ←中标— 丙. */
function pathHtml(p) {
  const nodes = p.nodes || [];
  const node = (n) => `<span class="node">${n.kind === "enterprise" ? `<a href="/enterprises/${encodeURIComponent(n.id)}">${esc(n.name)}</a>` : esc(n.name)}</span>`;
  return nodes.map((n, i) => {
    const e = (p.edges || [])[i];
    if (!e || i === nodes.length - 1) return node(n);
    const what = label(RELATION, e.kind) + (e.share != null ? ` ${Math.round(e.share * 100)}%` : "") + (e.amount != null ? ` ${yuan(e.amount)}` : "");
    const forward = String(e.from) === String(n.id);
    return node(n) + `<span class="edge">${forward ? "—" + esc(what) + "→" : "←" + esc(what) + "—"}</span>`;
  }).join("") + ` <span class="muted">（${esc(p.length)} 步）</span>`;
}

/** 采集状态: each crawler's last run and failures; an admin starts one. */
async function pageCrawls() {
  const crawls = await api("/api/crawls");
  show(`<h2>采集状态</h2>` + (crawls.map((c) => `<div class="lead"><div class="top"><b>${esc(c.name)}</b>
      <span class="muted">${esc(Object.entries(c).filter(([k, v]) => k !== "name" && v != null && typeof v !== "object").map(([k, v]) => `${k} ${v}`).join(" · "))}</span></div>
      <div class="actions"><button data-crawl="${esc(c.name)}">立即采集</button></div></div>`).join("") || '<p class="muted">没有采集任务</p>'));
}

/** 转化漏斗: created → pushed → contacted → won, by kind, source or manager. */
async function pageFunnel() {
  const by = new URLSearchParams(location.search).get("by") || "kind";
  const rows = await api(`/api/funnel?by=${encodeURIComponent(by)}`);
  const max = Math.max(...rows.map((r) => r.created), 1);
  const stage = (r, key, cls) => `<td>${bar(r[key], max, cls)} ${r[key]}</td>`;
  show(`<h2>转化漏斗</h2><p>${["kind", "source", "manager", "region"].map((b) => `<a href="?by=${b}">${{ kind: "按类型", source: "按来源", manager: "按客户经理", region: "按地区" }[b]}</a>`).join(" · ")}</p>
    <table class="funnel"><tr><th>${esc({ kind: "类型", source: "来源", manager: "客户经理", region: "地区" }[by] || by)}</th><th>产生</th><th>推送</th><th>联系</th><th>成交</th><th>无效</th></tr>
    ${rows.map((r) => `<tr><td>${esc(by === "kind" ? label(KIND, r.key) : r.key)}</td>${stage(r, "created")}${stage(r, "pushed")}${stage(r, "contacted")}${stage(r, "won", "won")}${stage(r, "invalid", "neg")}</tr>`).join("")}</table>`);
}

const ROUTES = [
  [/^\/(leads)?$/, pageLeads], [/^\/leads\/([^/]+)$/, pageLead], [/^\/enterprises\/([^/]+)$/, pageEnterprise],
  [/^\/search$/, pageSearch], [/^\/risk$/, pageRisk], [/^\/graph$/, pageGraph], [/^\/crawls$/, pageCrawls], [/^\/funnel$/, pageFunnel],
];
async function route() {
  $("msg").textContent = "";
  for (const [pattern, page] of ROUTES) {
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
      const id = target.closest(".lead").dataset.alert;
      const note = prompt("备注（可选）") || null;
      await api(`/api/alerts/${encodeURIComponent(id)}/review`, { method: "POST", body: JSON.stringify({ decision: target.dataset.decision, note }) });
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
      $("msg").textContent = "已记录反馈";
      await route();
    } else if (target.dataset.crawl) {
      await api(`/api/crawls/${encodeURIComponent(target.dataset.crawl)}/run`, { method: "POST" });
      $("msg").textContent = "已开始采集";
    }
  } catch (e) { fail(e); }
});
route();
