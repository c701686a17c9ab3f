"use strict";
/** 关系图谱: one enterprise's relationship network (by kind, one or two steps; click a node to
 * move there) with its actual controller and a GraphML export, the paths between two
 * enterprises, or the guarantee circles. Enterprises by name, short name, 统一社会信用代码 or
 * id: the API resolves them, and names the candidates of an ambiguous one. */
async function pageGraph() {
  const params = new URLSearchParams(location.search);
  const from = params.get("from") || "", to = params.get("to") || "";
  const depth = params.get("depth") === "2" ? 2 : 1;
  const kinds = params.getAll("kind");
  let out = "";
  let network = null;
  if (params.get("circles")) {
    const circles = await api(`/api/graph/circles?kind=guarantee`);
    out = `<h3>担保圈 <span class="muted">${circles.length} 个</span></h3>` + (circles.map((c, i) =>
      `<div class="path"><span class="muted">#${i + 1}（${c.members.length} 家）</span> ${c.members.map((m) =>
        `<span class="node"><a href="/graph?from=${encodeURIComponent(m.id)}&kind=guarantee">${esc(m.name)}</a></span>`).join('<span class="edge">⇄</span>')}</div>`).join("")
      || '<p class="muted">没有发现互保或循环担保</p>');
  } else if (from && to) {
    const paths = await api(`/api/graph/path?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=5`);
    out = `<h3>路径</h3>` + (paths.map((p) => `<div class="path">${pathHtml(p)}</div>`).join("") || '<p class="muted">两者之间没有路径</p>');
  } else if (from) {
    const query = `depth=${depth}` + (kinds.length ? `&kinds=${encodeURIComponent(kinds.join(","))}` : "");
    const [found, control] = await Promise.all([api(`/api/graph/neighbors/${encodeURIComponent(from)}?${query}`),
      api(`/api/graph/controller/${encodeURIComponent(from)}`).catch(() => null)]);
    network = found;
    const center = network.nodes.length ? network.nodes[0] : null;
    out = `<h3>关系网络 <span class="muted">${network.nodes.length} 个节点 · ${network.edges.length} 条关系</span>
        ${center ? `<a class="button" href="/api/graph/export/${encodeURIComponent(center.id)}?depth=${depth}" download>导出 GraphML</a>` : ""}</h3>
      ${control ? `<p>实际控制人：<b>${control.controller ? esc(control.controller.name) : "未认定"}</b> <span class="muted">（${esc(control.rule)}）</span></p>` : ""}
      <div id="network" class="chart tall"></div>
      <table class="facts">${network.nodes.map((node) => `<tr><td>${nodeLink(node)}</td>
        <td class="muted">${node.kind === "enterprise" ? "企业" : "个人"}</td></tr>`).join("")}</table>`;
  }
  const kindBoxes = Object.entries(RELATION).map(([k, v]) =>
    `<label><input type="checkbox" name="kind" value="${k}" ${kinds.includes(k) ? "checked" : ""}> ${v}</label>`).join(" ");
  show(`<h2>关系图谱</h2><form method="get" action="/graph" class="filters">
    <label>企业 <input name="from" value="${esc(from)}" size="24" placeholder="名称、简称、统一社会信用代码或编号"></label>
    <label>到（可选） <input name="to" value="${esc(to)}" size="24"></label>
    <label>层数 <select name="depth"><option value="1">1 层</option><option value="2" ${depth === 2 ? "selected" : ""}>2 层</option></select></label>
    <button class="primary">查询</button> <a href="/graph?circles=guarantee">担保圈</a><div class="kinds">${kindBoxes}</div></form>${out}`);
  if (network) {
    networkChart("network", network, network.nodes.length ? network.nodes[0].id : from,
      (other) => { location.href = `/graph?from=${encodeURIComponent(other)}`; });
  }
}

/** A path as nodes joined by their relations: 甲 —持股 69%→ 乙 ←中标— 丙. */
function pathHtml(p) {
  const nodes = p.nodes || [];
  const node = (n) => `<span class="node">${nodeLink(n)}</span>`;
  return nodes.map((n, i) => {
    const e = (p.edges || [])[i];
    if (!e || i === nodes.length - 1) return node(n);
    const forward = String(e.from) === String(n.id);
    return node(n) + `<span class="edge">${forward ? "—" + esc(relationText(e)) + "→" : "←" + esc(relationText(e)) + "—"}</span>`;
  }).join("") + ` <span class="muted">（${esc(p.length)} 步）</span>`;
}
screen(/^\/graph$/, pageGraph);
