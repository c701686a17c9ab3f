"use strict";
/** 转化漏斗: created → pushed → contacted → won, by kind, source or manager. */
async function pageFunnel() {
  const by = new URLSearchParams(location.search).get("by") || "kind";
  const rows = await api(`/api/funnel?by=${encodeURIComponent(by)}`);
  const max = Math.max(...rows.map((r) => r.created), 1);
  const stage = (r, key, cls) => `<td>${bar(r[key], max, cls)} ${r[key]}</td>`;
  const total = (key) => rows.reduce((sum, r) => sum + r[key], 0);
  show(`<h2>转化漏斗</h2><div id="funnel-chart" class="chart"></div><p>${["kind", "source", "manager", "region"].map((b) => `<a href="?by=${b}">${{ kind: "按类型", source: "按来源", manager: "按客户经理", region: "按地区" }[b]}</a>`).join(" · ")}</p>
    <table class="funnel"><tr><th>${esc({ kind: "类型", source: "来源", manager: "客户经理", region: "地区" }[by] || by)}</th><th>产生</th><th>推送</th><th>联系</th><th>成交</th><th>无效</th></tr>
    ${rows.map((r) => `<tr><td>${esc(by === "kind" ? label(KIND, r.key) : by === "manager" ? managerName(r.key) : by === "source" ? kindLabel(r.key) : r.key)}</td>${stage(r, "created")}${stage(r, "pushed")}${stage(r, "contacted")}${stage(r, "won", "won")}${stage(r, "invalid", "neg")}</tr>`).join("")}</table>`);
  chart("funnel-chart", {
    tooltip: { trigger: "item" },
    series: [{ type: "funnel", left: "10%", width: "80%", sort: "none", label: { formatter: "{b}：{c}" },
      data: [{ name: "产生", value: total("created") }, { name: "推送", value: total("pushed") },
        { name: "联系", value: total("contacted") }, { name: "成交", value: total("won") }] }],
  });
}
screen(/^\/funnel$/, pageFunnel);
