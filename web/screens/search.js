"use strict";
/** 搜索: the query language of `oppgraph search`, snippets highlighted, facets. */
async function pageSearch() {
  const q = new URLSearchParams(location.search).get("q") || "";
  let results = "";
  if (q) {
    const r = await api(`/api/search?q=${encodeURIComponent(q)}&limit=50&facets=true`);
    const mark = (snippet) => esc(snippet).replace(/&lt;b&gt;/g, "<mark>").replace(/&lt;\/b&gt;/g, "</mark>");
    results = `<p class="muted">共 ${r.total} 条</p>
      ${r.facets ? `<p class="muted facets">类型：${r.facets.kind.map(([k, n]) => `${esc(kindLabel(k))} ${n}`).join(" · ")}</p>
        <p class="muted facets">地区：${(r.facets.region || []).map(([k, n]) => `<a href="?q=${encodeURIComponent(`${q} region:${k}`)}">${esc(k)}</a> ${n}`).join(" · ")}</p>
        <p class="muted facets">年份：${(r.facets.year || []).map(([k, n]) => `${esc(k)} ${n}`).join(" · ")}</p>` : ""}
      ${r.hits.map((h) => `<div class="lead"><div class="top"><span class="tag">${esc(kindLabel(h.subkind))}</span><b>${esc(h.title)}</b>
        <span class="muted">${esc(h.published)} [${esc(h.id)}]</span></div><div class="snippet">${mark(h.snippet)}</div></div>`).join("")}`;
  }
  show(`<h2>搜索</h2><form method="get" action="/search" class="filters"><input name="q" size="40" value="${esc(q)}" placeholder="例如：运动服 宜昌 -更正 kind:award region:宜昌">
    <button class="primary">搜索</button></form>${results}`);
}
screen(/^\/search$/, pageSearch);
