"use strict";
/** 采集状态: each crawler's schedule, last run (what it fetched, what was new, what failed) and
 * the items still failing; an admin starts one now. */
const RUN = { running: "运行中", ok: "成功", failed: "失败" };
const CRAWL_KIND = { tenders: "招投标", filings: "工商公告", pledges: "质押/抵押", risk_events: "风险事件" };

/** GiB as the screen shows them: 38.2 GB. */
const gb = (bytes) => `${(bytes / 2 ** 30).toFixed(1)} GB`;
/** The data dir's disk: what is free, and a warning once an import or a mining run may be
 * refused for want of room (less than twice what must stay free, or a tenth of the disk). */
function diskLine(disk) {
  if (!disk) return "";
  const low = disk.free < 2 * disk.keep_free || disk.free < disk.total / 10;
  return `<p class="${low ? "alert" : "muted"}" id="disk">数据目录磁盘：剩余 ${gb(disk.free)}，共 ${gb(disk.total)}${low
    ? `。空间不足：剩余不够时导入与挖掘会被拒绝（须保留 ${gb(disk.keep_free)}），请清理磁盘或迁移数据目录。` : ""}</p>`;
}

async function pageCrawls() {
  const [crawls, ready] = await Promise.all([api("/api/crawls"), api("/readyz").catch(() => null)]);
  const run = (r) => !r ? '<span class="muted">从未运行</span>' : `<span class="tag ${r.status === "failed" ? "sup" : "status"}">${esc(label(RUN, r.status))}</span>
    ${esc(when(r.started))}${r.finished ? ` — ${esc(when(r.finished))}` : ""} · 列表页 ${r.list_pages} · 抓取 ${r.fetched} · 新增 ${r.new} · 变更 ${r.changed}
    · 未变 ${r.unchanged} · 失败 ${r.failed} · 请求 ${r.requests}${r.reason ? `<div class="alert">${esc(r.reason)}</div>` : ""}`;
  show(`<h2>采集状态 <span class="muted">${crawls.length} 个采集任务</span></h2>` + diskLine(ready && ready.disk) + (crawls.map((c) => `<div class="lead" data-crawler="${esc(c.name)}">
      <div class="top"><b>${esc(c.name)}</b><span class="tag">${esc(label(CRAWL_KIND, c.kind || ""))}</span>
        <span class="tag ${c.enabled ? "status" : ""}">${c.enabled ? "已启用" : "未启用"}</span>
        <span class="muted">计划 ${esc(c.schedule || "无")}${c.next_run ? ` · 下次 ${esc(when(c.next_run))}` : ""}</span></div>
      ${c.error ? `<div class="alert">配置错误：${esc(c.error)}</div>` : `<div>上次运行：${run(c.last_run)}</div>`}
      ${c.failures.length ? `<details><summary>待重试 ${c.failures.length} 项</summary><table class="facts">${c.failures.slice(0, 50).map((f) =>
        `<tr><td>${esc(f.url)}</td><td class="muted">${esc(f.reason)}（${f.attempts} 次）</td></tr>`).join("")}</table></details>` : ""}
      ${c.error ? "" : `<div class="actions"><button data-crawl="${esc(c.name)}">立即采集</button></div>`}</div>`).join("")
    || '<p class="muted">没有采集任务：在 crawlers/ 目录放入采集配置（见 crawlers/README.md）。</p>'));
}
screen(/^\/crawls$/, pageCrawls);
