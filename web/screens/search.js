"use strict";
/** 搜索: the query language of `oppgraph search`, snippets highlighted, type / region / year
 * facets (a region narrows the query), pages of 20. */
async function pageSearch() {
  const params = new URLSearchParams(location.search);
  const q = params.get("q") || "";
  const page = Math.max(0, Number(params.get("page") || 0));
  let results = "";
  if (q) {
    const r = await api(`/api/search?q=${encodeURIComponent(q)}&limit=${PAGE}&offset=${page * PAGE}&facets=true`);
    const mark = (snippet) => esc(snippet).replace(/&lt;b&gt;/g, "<mark>").replace(/&lt;\/b&gt;/g, "</mark>");
    const facet = (name, values, link) => `<p class="muted facets">${name}：${(values || []).map(([k, n]) =>
      `${link ? `<a href="?q=${encodeURIComponent(`${q} region:${k}`)}">${esc(k)}</a>` : esc(kindLabel(k))} ${n}`).join(" · ")}</p>`;
    results = `<p class="muted">共 ${r.total} 条 · 第 ${page + 1} / ${Math.max(1, Math.ceil(r.total / PAGE))} 页</p>
      ${r.facets ? facet("类型", r.facets.kind) + facet("地区", r.facets.region, true) + facet("年份", r.facets.year) : ""}
      ${r.hits.map((h) => `<div class="lead"><div class="top"><span class="tag">${esc(kindLabel(h.subkind))}</span><b>${esc(h.title)}</b>
        <span class="muted">${esc(h.published)} [${esc(h.id)}]</span></div><div class="snippet">${mark(h.snippet)}</div></div>`).join("")}
      <nav class="pager">${page > 0 ? `<a href="?${pageQuery(params, page - 1)}">上一页</a>` : ""}
        ${(page + 1) * PAGE < r.total ? `<a href="?${pageQuery(params, page + 1)}">下一页</a>` : ""}</nav>`;
  }
  show(`<h2>搜索</h2><form method="get" action="/search" class="filters"><input name="q" size="40" value="${esc(q)}" placeholder="例如：运动服 宜昌 -更正 kind:award region:宜昌">
    <button class="primary">搜索</button></form>${results}`);
}
screen(/^\/search$/, pageSearch);
