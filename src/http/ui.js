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
  if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
  return body;
}
function evidence(e) {
  const url = safeUrl(e.url);
  const title = url ? `<a href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(e.title)}</a>` : esc(e.title);
  return `<div class="evidence">📄 ${esc(e.published)} ${title} <span class="muted">[${esc(e.record)}]</span></div>`;
}
function render(leads) {
  if (!leads.length) { $("list").innerHTML = '<p class="muted">没有商机</p>'; return; }
  $("list").innerHTML = leads.map((o) => `
    <div class="lead ${o.suppressed ? "suppressed" : ""}" data-id="${esc(o.id)}">
      <div class="top">
        <span class="score">${Number(o.score).toFixed(1)}</span>
        <span class="tag tier">${esc(o.tier)}类</span>
        <span class="name">${esc(o.enterprise.name)}</span>
        <span class="tag">${esc(label(KIND, o.kind))}</span>
        ${o.products.map((p) => `<span class="tag">${esc(p)}</span>`).join("")}
        <span class="tag status">${esc(label(STATUS, o.status))}</span>
        ${o.amount != null ? `<span class="tag">${esc(yuan(o.amount))}</span>` : ""}
        ${o.suppressed ? `<span class="tag sup">${esc(o.suppressed.reason)}${o.suppressed.duplicate_of ? " → " + esc(o.suppressed.duplicate_of) : ""}</span>` : ""}
        <span class="muted">跟进截止 ${esc(o.due)} · ${o.manager ? esc(o.manager) : "未分配"}</span>
      </div>
      ${o.why_now ? `<div class="whynow">为什么现在：${esc(o.why_now)}</div>` : ""}
      <table class="why">${o.why.map((w) => `<tr><td class="${w.contribution < 0 ? "minus" : "plus"}">${w.contribution > 0 ? "+" : ""}${Number(w.contribution).toFixed(1)}</td><td>${esc(w.feature)}</td><td class="muted">${esc(w.detail)}</td></tr>`).join("")}</table>
      ${o.alerts.map((a) => `<div class="alert">⚠ ${esc(label(ALERT, a.kind))}（严重度 ${esc(a.severity)}）— ${esc(a.path.join(" → "))}：${esc(a.detail)}</div>`).join("")}
      ${o.evidence.map(evidence).join("")}
      <div class="actions">
        <button data-status="contacted">已联系</button>
        <button data-status="won">已成交</button>
        <button data-status="lost">已丢失</button>
        <button data-status="invalid">无效</button>
      </div>
    </div>`).join("");
}
async function load() {
  $("msg").textContent = "";
  try {
    render(await api("/api/opportunities?limit=200" + ($("sup").checked ? "&include_suppressed=true" : "")));
  } catch (e) { $("msg").textContent = e.message; $("list").innerHTML = ""; }
}
async function loadAlerts() {
  $("msg").textContent = "";
  try {
    const alerts = await api("/api/alerts?state=pending&limit=200");
    if (!alerts.length) { $("list").innerHTML = '<p class="muted">没有待复核的预警</p>'; return; }
    $("list").innerHTML = alerts.map((a) => `
      <div class="lead" data-alert="${esc(a.id)}">
        <div class="top"><span class="score">${esc(a.severity)}</span><span class="name">${esc(a.enterprise.name)}</span>
          <span class="tag">${esc(label(ALERT, a.kind))}</span><span class="muted">商机 ${esc(a.opportunity)}</span></div>
        <div class="alert">${esc(a.path.join(" → "))}：${esc(a.detail)} <span class="muted">[${esc(a.record)}]</span></div>
        <div class="actions">
          <button data-decision="accept">确认</button>
          <button data-decision="dismiss">忽略</button>
          <button data-decision="block">拦截</button>
        </div>
      </div>`).join("");
  } catch (e) { $("msg").textContent = e.message; $("list").innerHTML = ""; }
}
$("load").onclick = load;
$("alerts").onclick = loadAlerts;
$("list").addEventListener("click", async (event) => {
  const decision = event.target.dataset.decision;
  if (decision) {
    const id = event.target.closest(".lead").dataset.alert;
    const note = prompt("备注（可选）") || null;
    try { await api(`/api/alerts/${encodeURIComponent(id)}/review`, { method: "POST", body: JSON.stringify({ decision, note }) }); await loadAlerts(); }
    catch (e) { $("msg").textContent = e.message; }
    return;
  }
  const status = event.target.dataset.status;
  if (!status) return;
  const id = event.target.closest(".lead").dataset.id;
  const body = { status };
  if (status === "invalid" || status === "lost") {
    const reason = prompt("原因");
    if (status === "invalid" && !reason) return;
    body.reason = reason || null;
  }
  try { await api(`/api/opportunities/${encodeURIComponent(id)}/feedback`, { method: "POST", body: JSON.stringify(body) }); await load(); }
  catch (e) { $("msg").textContent = e.message; }
});
// The risk role opens on its review queue; everyone else on the lead list.
(new URLSearchParams(location.search).get("view") === "risk" ? loadAlerts : load)();
