"use strict";
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
screen(/^\/(?:leads)?$/, pageLeads);
