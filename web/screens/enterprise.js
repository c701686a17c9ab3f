"use strict";
/** 企业画像: registration facts; owners and the actual controller with effective shares; the
 * group; officers; risk events; leads; and the timeline of records naming it. */
const FACT = { id: "编号", name: "名称", uscc: "统一社会信用代码", region: "地区", industry: "行业", registered_capital: "注册资本",
  established: "成立日期", legal_rep: "法定代表人", aliases: "曾用名/别名", size: "规模", listed: "上市公司", is_customer: "我行客户",
  manager_id: "客户经理", status: "经营状态", discovered_from: "发现于" };
const SIZE = { micro: "微型", small: "小型", medium: "中型", large: "大型" };

async function pageEnterprise(id) {
  const e = await api(`/api/enterprises/${encodeURIComponent(id)}`);
  const optional = (promise) => promise.catch(() => null);
  const [control, group, people, records, leads] = await Promise.all([
    optional(api(`/api/graph/controller/${e.id}`)),
    optional(api(`/api/graph/group/${e.id}`)),
    optional(api(`/api/graph/neighbors/${e.id}?depth=1&kinds=officer,legal_rep`)),
    optional(api(`/api/enterprises/${e.id}/records?limit=100`)),
    optional(api(`/api/opportunities?enterprise=${e.id}&limit=50`)),
  ]);
  const rows = Object.entries(e).filter(([, v]) => v != null && v !== "" && typeof v !== "object" || Array.isArray(v) && v.length);
  const value = (k, v) => typeof v === "boolean" ? (v ? "是" : "否") : k === "registered_capital" ? yuan(v) : k === "size" ? label(SIZE, v) : k === "manager_id" ? managerName(v)
    : Array.isArray(v) ? v.join("、") : v;
  const byId = new Map(((people && people.nodes) || []).map((n) => [String(n.id), n]));
  const officers = ((people && people.edges) || []).filter((x) => String(x.to) === String(e.id))
    .map((x) => ({ who: byId.get(String(x.from)), what: x.kind === "legal_rep" ? "法定代表人" : x.role || "董监高" }));
  const risks = (records || []).filter((r) => r.record === "risk_event");
  show(`<h2>${esc(e.name)} ${e.is_customer ? '<span class="tag status">我行客户</span>' : ""}</h2>
    <div class="cols">
    <section><h3>工商登记</h3><table class="facts">${rows.map(([k, v]) => `<tr><th>${esc(FACT[k] || k)}</th><td>${esc(value(k, v))}</td></tr>`).join("")}</table>
      <p><a href="/graph?from=${encodeURIComponent(e.id)}">在关系图谱中查看</a></p></section>
    <section><h3>股东与实际控制人</h3>${control ? `<p>实际控制人：<b>${control.controller ? nodeLink(control.controller) : "未认定"}</b>
        <span class="muted">（${esc(control.rule)}）</span></p>
      <table class="facts"><tr><th>最终股东</th><th>穿透持股</th><th>路径</th></tr>${control.owners.slice(0, 12).map((o) =>
        `<tr><td>${nodeLink(o)}</td><td>${share(o.share)}</td><td class="muted">${esc((o.paths[0] || []).join(" → "))}</td></tr>`).join("")}</table>`
      : '<p class="muted">无股东信息</p>'}
      <h3>所属集团</h3>${group && group.members.length > 1 ? `<p>集团核心：${nodeLink(group.head)} · 成员 ${group.members.length} 家</p>
        <p>${group.members.slice(0, 30).map((m) => `<span class="node">${nodeLink(m)}</span>`).join(" ")}</p>` : '<p class="muted">未发现集团关系</p>'}
      <h3>董监高与法定代表人</h3>${officers.length ? `<table class="facts">${officers.map((x) =>
        `<tr><td>${x.who ? nodeLink(x.who) : ""}</td><td class="muted">${esc(x.what)}</td></tr>`).join("")}</table>` : '<p class="muted">无</p>'}
    </section></div>
    <h3>风险事件 <span class="muted">${risks.length} 条</span></h3>${risks.length ? timeline(risks) : '<p class="muted">无</p>'}
    <h3>商机</h3>${leads && leads.length ? leads.map(leadCard).join("") : '<p class="muted">无</p>'}
    <h3>企业动态</h3>${timeline(records || [])}`);
}
screen(/^\/enterprises\/([^/]+)$/, pageEnterprise);
