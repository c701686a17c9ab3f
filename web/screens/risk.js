"use strict";
const DECISION = { accept: "确认", dismiss: "忽略", block: "拦截" };

/** 风险复核: each pending risk event once, with every enterprise and lead it touches (and the path
 * it reaches them by); confirm, dismiss or block it with a comment, for all of them at once;
 * and the decisions already taken, by whom and when. */
async function pageRisk() {
  const [alerts, reviewed] = await Promise.all([api("/api/alerts?state=pending&limit=500"), api("/api/alerts?state=reviewed&limit=100")]);
  const events = new Map();
  for (const a of alerts) {
    if (!events.has(a.record)) events.set(a.record, []);
    events.get(a.record).push(a);
  }
  show(`<h2>风险复核 <span class="muted">待复核 ${events.size} 个风险事件 · 涉及 ${alerts.length} 家企业</span></h2>` + ([...events.values()].map((group) => {
    const first = group[0];
    const leads = group.reduce((n, a) => n + a.opportunities.length, 0);
    return `<div class="lead" data-alerts="${esc(group.map((a) => a.id).join(","))}">
      <div class="top"><span class="score">${esc(first.severity)}</span><span class="name">${esc(first.subject)}</span>
        <span class="tag">${esc(label(ALERT, first.kind))}</span><span class="muted">[${esc(first.record)}] 影响 ${group.length} 家企业 · ${leads} 条商机</span></div>
      ${group.map((a) => `<div class="alert">${entLink(a.enterprise)}：${esc(a.detail)}
        <div class="muted">商机 ${a.opportunities.map((o) => `<a href="/leads/${encodeURIComponent(o)}">${esc(o)}</a>`).join("、")}</div></div>`).join("")}
      <div class="actions"><button data-decision="accept">确认</button><button data-decision="dismiss">忽略</button><button data-decision="block">拦截</button></div>
    </div>`;
  }).join("") || '<p class="muted">没有待复核的预警</p>')
    + `<h3>复核记录</h3><table class="facts">${reviewed.map((a) => `<tr><td>${esc(when(a.review.at))}</td><td>${esc(a.review.reviewer)}</td>
      <td><span class="tag">${esc(label(DECISION, a.review.decision))}</span></td><td>${entLink(a.enterprise)} ${esc(label(ALERT, a.kind))}（${esc(a.subject)}）</td>
      <td class="muted">${esc(a.review.note || "")}</td></tr>`).join("") || '<tr><td class="muted">暂无</td></tr>'}</table>`);
}
screen(/^\/risk$/, pageRisk);
