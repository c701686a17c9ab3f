"use strict";
/** 搜索: the query language of `oppgraph search`, snippets highlighted, facets. */
async function pageSearch() {
  const q = new URLSearchParams(location.search).get("q") || "";
  let results = "";
  if (q) {
    const r = await api(`/api/search?q=${encodeURIComponent(q)}&limit=50&facets=true`);
    const mark = (snippet) => esc(snippet).replace(/&lt;b&gt;/g, "<mark>").replace(/&lt;\/b&gt;/g, "</mark>");
    results = `<p class="muted">共 ${r.total} 条</p>
      ${r.facets ? `<p class="muted">${r.facets.kind.map(([k, n]) => `${esc(k)} ${n}`).join(" · ")}</p>` : ""}
      ${r.hits.map((h) => `<div class="lead"><div class="top"><span class="tag">${esc(h.subkind)}</span><b>${esc(h.title)}</b>
        <span class="muted">${esc(h.published)} [${esc(h.id)}]</span></div><div class="snippet">${mark(h.snippet)}</div></div>`).join("")}`;
  }
  show(`<h2>搜索</h2><form method="get" action="/search" class="filters"><input name="q" size="40" value="${esc(q)}" placeholder="例如：运动服 AND 宜昌">
    <button class="primary">搜索</button></form>${results}`);
}
screen(/^\/search$/, pageSearch);
