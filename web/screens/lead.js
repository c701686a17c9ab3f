"use strict";
/** 商机详情: the score broken down, why now, evidence, alerts with their paths. */
async function pageLead(id) {
  const o = await api(`/api/opportunities/${encodeURIComponent(id)}`);
  show(`<h2>${entLink(o.enterprise)} <span class="tag tier">${esc(o.tier)}类</span> <span class="tag">${esc(label(KIND, o.kind))}</span></h2>
    <div class="lead" data-id="${esc(o.id)}">
      <p class="whynow">为什么现在：${esc(o.why_now)}</p>
      <p>评分 <b>${Number(o.score).toFixed(1)}</b> · ${o.amount != null ? esc(yuan(o.amount)) + " · " : ""}状态 ${esc(label(STATUS, o.status))} ·
        跟进截止 ${esc(o.due)} · 客户经理 ${o.manager ? esc(o.manager) : "未分配"}</p>
      <h3>评分构成</h3>
      <div id="score-chart" class="chart" style="height:${40 + 30 * o.why.length}px"></div>
      <table class="why">${o.why.map((w) => `<tr><td class="${w.contribution < 0 ? "minus" : "plus"}">${w.contribution > 0 ? "+" : ""}${Number(w.contribution).toFixed(1)}</td>
        <td>${esc(label(FEATURE, w.feature))}</td><td class="muted">${esc(w.detail)}</td></tr>`).join("")}</table>
      <h3>推荐产品</h3><p>${productNames(o).map((p) => `<span class="tag">${esc(p)}</span>`).join(" ") || "无"}</p>
      <h3>证据</h3>${o.evidence.map(evidence).join("") || '<p class="muted">无</p>'}
      <h3>风险预警</h3>${o.alerts.map((a) => `<div class="alert">⚠ ${esc(label(ALERT, a.kind))}（严重度 ${esc(a.severity)}）
        <div class="path">${a.path.map((step) => `<span class="node">${esc(step)}</span>`).join('<span class="edge">→</span>')}</div>
        <div class="muted">${esc(a.detail)}</div></div>`).join("") || '<p class="muted">无</p>'}
      ${feedbackButtons()}
    </div>`);
  chart("score-chart", {
    grid: { left: 110, right: 40, top: 10, bottom: 20 },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: o.why.map((w) => label(FEATURE, w.feature)) },
    tooltip: { formatter: (p) => esc(o.why[p.dataIndex].detail) },
    series: [{ type: "bar", label: { show: true, position: "right", formatter: (p) => (p.value > 0 ? "+" : "") + p.value.toFixed(1) },
      data: o.why.map((w) => ({ value: w.contribution, itemStyle: { color: w.contribution < 0 ? "#ef4444" : "#3b82f6" } })) }],
  });
}
screen(/^\/leads\/([^/]+)$/, pageLead);
