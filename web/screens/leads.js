"use strict";
/** 商机列表: filters (tier, kind, status, due window, region), sort and pages of 20, all on the
 * server; counts per tier; the filters live in the address so a list can be bookmarked. */
const ORDER = { score: "按评分", due: "按跟进截止", amount: "按金额" };
const DUE = { 7: "7 天内", 30: "30 天内", 90: "90 天内" };

async function pageLeads() {
  const params = new URLSearchParams(location.search);
  const pick = (key) => params.get(key) || "";
  const page = Math.max(0, Number(params.get("page") || 0));
  const query = new URLSearchParams();
  for (const key of ["tier", "kind", "status", "due_within", "region", "order"]) if (pick(key)) query.set(key, pick(key));
  if (pick("suppressed")) query.set("include_suppressed", "true");
  const counting = new URLSearchParams(query);
  counting.delete("order");
  query.set("limit", PAGE);
  query.set("offset", page * PAGE);
  const [leads, counts] = await Promise.all([api(`/api/opportunities?${query}`), api(`/api/opportunities/counts?${counting}`)]);
  const options = (table, key) => `<option value="">全部</option>` + Object.entries(table).map(([k, v]) =>
    `<option value="${esc(k)}" ${pick(key) === k ? "selected" : ""}>${esc(v)}</option>`).join("");
  const tierLinks = ["A", "B", "C"].map((t) => {
    const p = new URLSearchParams(params); p.set("tier", t); p.delete("page");
    return `<a href="?${esc(p.toString())}" class="${pick("tier") === t ? "here" : ""}">${t}类 ${counts.tiers[t] || 0}</a>`;
  }).join(" · ");
  show(`<h2>商机列表 <span class="muted counts">${tierLinks}</span></h2>
    <form class="filters" method="get" action="/leads">
      <label>分层 <select name="tier">${options({ A: "A类", B: "B类", C: "C类" }, "tier")}</select></label>
      <label>类型 <select name="kind">${options(KIND, "kind")}</select></label>
      <label>状态 <select name="status">${options(STATUS, "status")}</select></label>
      <label>到期 <select name="due_within">${options(DUE, "due_within")}</select></label>
      <label>地区 <input name="region" value="${esc(pick("region"))}" size="8" placeholder="如 宜昌"></label>
      <label>排序 <select name="order">${Object.entries(ORDER).map(([k, v]) =>
        `<option value="${k}" ${(pick("order") || "score") === k ? "selected" : ""}>${v}</option>`).join("")}</select></label>
      <label><input type="checkbox" name="suppressed" value="1" ${pick("suppressed") ? "checked" : ""}> 含已抑制</label>
      <button class="primary">筛选</button>
    </form>
    <p class="muted">共 ${counts.total} 条 · 第 ${page + 1} / ${Math.max(1, Math.ceil(counts.total / PAGE))} 页</p>
    ${leads.map(leadCard).join("") || '<p class="muted">没有符合条件的商机</p>'}
    <nav class="pager">${page > 0 ? `<a href="?${pageQuery(params, page - 1)}">上一页</a>` : ""}
      ${(page + 1) * PAGE < counts.total ? `<a href="?${pageQuery(params, page + 1)}">下一页</a>` : ""}</nav>`);
}
screen(/^\/(?:leads)?$/, pageLeads);
