"use strict";
/** 商机详情: the score broken down (a chart), why now, products, evidence, alerts with their path
 * drawn, the enterprise's relationship network (one or two steps), the feedback history and
 * the enterprise's timeline. */
async function pageLead(id) {
  const o = await api(`/api/opportunities/${encodeURIComponent(id)}`);
  const eid = o.enterprise.id;
  // A learned score's header says how it was learned; the parts are what the chart draws.
  const { head, parts } = scoreParts(o.why);
  const depth = new URLSearchParams(location.search).get("depth") === "2" ? 2 : 1;
  const [history, records, network] = await Promise.all([
    api(`/api/opportunities/${encodeURIComponent(id)}/feedback`),
    api(`/api/enterprises/${encodeURIComponent(eid)}/records?limit=30`).catch(() => []),
    api(`/api/graph/neighbors/${encodeURIComponent(eid)}?depth=${depth}&hub_cap=60`).catch(() => null),
  ]);
  show(`<h2>${entLink(o.enterprise)} <span class="tag tier">${esc(o.tier)}类</span> <span class="tag">${esc(label(KIND, o.kind))}</span></h2>
    <div class="lead" data-id="${esc(o.id)}">
      <p class="whynow">为什么现在：${esc(o.why_now)}</p>
      <p>评分 <b>${Number(o.score).toFixed(1)}</b> · ${o.amount != null ? esc(yuan(o.amount)) + " · " : ""}状态 ${esc(label(STATUS, o.status))} ·
        跟进截止 ${esc(o.due)} · 客户经理 ${esc(managerName(o.manager))}</p>
      ${feedbackButtons()}
      <h3>评分构成</h3>
      ${head ? `<p class="learned-head">${esc(head.detail)}</p>` : ""}
      <div id="score-chart" class="chart" style="height:${40 + 30 * parts.length}px"></div>
      <p class="muted">${parts.map((w) => `${esc(label(FEATURE, w.feature))}：${esc(w.detail)}`).join("；")}</p>
      ${o.rules ? `<p class="muted">按规则评分 <b>${Number(o.rules.score).toFixed(1)}</b>（学习模型给出上方评分，规则评分供对照）：
        ${o.rules.why.map(partText).join("；")}</p>` : ""}
      <h3>推荐产品</h3><p>${productNames(o).map((p) => `<span class="tag">${esc(p)}</span>`).join(" ") || "无"}</p>
      <h3>证据</h3>${o.evidence.map(evidence).join("") || '<p class="muted">无</p>'}
      <h3>风险预警</h3>${o.alerts.map((a, i) => `<div class="alert">⚠ ${esc(label(ALERT, a.kind))}（严重度 ${esc(a.severity)}）
        <div class="muted">${esc(a.detail)}</div>
        ${a.path.length > 1 ? `<div id="alert-path-${i}" class="chart path-chart"></div>` : ""}</div>`).join("") || '<p class="muted">无</p>'}
      <h3>关系网络 <span class="muted">${network ? `${network.nodes.length} 个节点 · ${network.edges.length} 条关系` : ""}</span>
        <a class="muted" href="?depth=${depth === 1 ? 2 : 1}">${depth === 1 ? "展开两层" : "只看一层"}</a></h3>
      ${network ? '<div id="network" class="chart network"></div>' : '<p class="muted">不在关系图谱中</p>'}
      <h3>反馈记录</h3>${history.length ? `<table class="facts">${history.map((f) => `<tr><td>${esc(when(f.at))}</td><td>${esc(f.actor)}</td>
        <td><span class="tag status">${esc(label(STATUS, f.status))}</span></td><td class="muted">${esc([f.reason, f.note].filter(Boolean).join("；"))}</td></tr>`).join("")}</table>`
        : '<p class="muted">暂无反馈</p>'}
      <h3>企业动态</h3>${timeline(records)}
    </div>`);
  chart("score-chart", {
    grid: { left: 110, right: 40, top: 10, bottom: 20 },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: parts.map((w) => label(FEATURE, w.feature)) },
    tooltip: { formatter: (p) => esc(parts[p.dataIndex].detail) },
    series: [{ type: "bar", label: { show: true, position: "right", formatter: (p) => (p.value > 0 ? "+" : "") + p.value.toFixed(1) },
      data: parts.map((w) => ({ value: w.contribution, itemStyle: { color: w.contribution < 0 ? "#ef4444" : "#3b82f6" } })) }],
  });
  o.alerts.forEach((a, i) => { if (a.path.length > 1) pathChart(`alert-path-${i}`, a); });
  if (network) networkChart("network", network, eid, (other) => { location.href = enterpriseHref(other); });
}
screen(/^\/leads\/([^/]+)$/, pageLead);
