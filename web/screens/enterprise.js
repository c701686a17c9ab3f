"use strict";
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
screen(/^\/enterprises\/([^/]+)$/, pageEnterprise);
