"use strict";
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
screen(/^\/risk$/, pageRisk);
