"use strict";
/** 采集状态: each crawler's last run and failures; an admin starts one. */
async function pageCrawls() {
  const crawls = await api("/api/crawls");
  show(`<h2>采集状态</h2>` + (crawls.map((c) => `<div class="lead"><div class="top"><b>${esc(c.name)}</b>
      <span class="muted">${esc(Object.entries(c).filter(([k, v]) => k !== "name" && v != null && typeof v !== "object").map(([k, v]) => `${k} ${v}`).join(" · "))}</span></div>
      <div class="actions"><button data-crawl="${esc(c.name)}">立即采集</button></div></div>`).join("") || '<p class="muted">没有采集任务</p>'));
}
screen(/^\/crawls$/, pageCrawls);
