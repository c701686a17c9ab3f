"use strict";
/** 关系图谱: one enterprise's relationship network (by kind, one or two steps; click a node to
 * move there), or the paths between two enterprises. Enterprises by name, short name,
 * 统一社会信用代码 or id: the API resolves them, and names the candidates of an ambiguous one. */
async function pageGraph() {
  const params = new URLSearchParams(location.search);
  const from = params.get("from") || "", to = params.get("to") || "";
  const depth = params.get("depth") === "2" ? 2 : 1;
  const kinds = params.getAll("kind");
  let out = "";
  let network = null;
  if (from && to) {
    const paths = await api(`/api/graph/path?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=5`);
    out = `<h3>路径</h3>` + (paths.map((p) => `<div class="path">${pathHtml(p)}</div>`).join("") || '<p class="muted">两者之间没有路径</p>');
  } else if (from) {
    const query = `depth=${depth}` + (kinds.length ? `&kinds=${encodeURIComponent(kinds.join(","))}` : "");
    network = await api(`/api/graph/neighbors/${encodeURIComponent(from)}?${query}`);
    out = `<h3>关系网络 <span class="muted">${network.nodes.length} 个节点 · ${network.edges.length} 条关系</span></h3>
      <div id="network" class="chart tall"></div>
      <table class="facts">${network.nodes.map((node) => `<tr><td>${node.kind === "enterprise" ? `<a href="/enterprises/${encodeURIComponent(node.id)}">${esc(node.name)}</a>` : esc(node.name)}</td>
        <td class="muted">${node.kind === "enterprise" ? "企业" : "个人"}</td></tr>`).join("")}</table>`;
  }
  const kindBoxes = Object.entries(RELATION).map(([k, v]) =>
    `<label><input type="checkbox" name="kind" value="${k}" ${kinds.includes(k) ? "checked" : ""}> ${v}</label>`).join(" ");
  show(`<h2>关系图谱</h2><form method="get" action="/graph" class="filters">
    <label>企业 <input name="from" value="${esc(from)}" size="24" placeholder="名称、简称、统一社会信用代码或编号"></label>
    <label>到（可选） <input name="to" value="${esc(to)}" size="24"></label>
    <label>层数 <select name="depth"><option value="1">1 层</option><option value="2" ${depth === 2 ? "selected" : ""}>2 层</option></select></label>
    <button class="primary">查询</button><div class="kinds">${kindBoxes}</div></form>${out}`);
  if (network) drawNetwork(network, network.nodes.length ? network.nodes[0].id : from);
}

/** The network as an ECharts force graph: enterprises and persons, relations labelled. */
function drawNetwork(network, center) {
  const key = (id) => String(id);
  const instance = chart("network", {
    tooltip: { formatter: (p) => p.dataType === "edge" ? esc(p.data.label.formatter) : esc(p.data.name) },
    legend: [{ data: ["企业", "个人"], top: 0 }],
    series: [{
      type: "graph", layout: "force", roam: true, draggable: true, top: 30,
      categories: [{ name: "企业" }, { name: "个人" }],
      force: { repulsion: 700, edgeLength: [120, 220] },
      label: { show: true, fontSize: 11, formatter: (p) => p.data.name.length > 12 ? p.data.name.slice(0, 12) + "…" : p.data.name },
      edgeSymbol: ["none", "arrow"], edgeSymbolSize: 7,
      edgeLabel: { show: true, fontSize: 10, formatter: (p) => p.data.label.formatter },
      data: network.nodes.map((n) => ({ id: key(n.id), name: n.name, category: n.kind === "enterprise" ? 0 : 1,
        symbolSize: key(n.id) === key(center) ? 46 : 26, value: n.id, kind: n.kind })),
      links: network.edges.map((e) => ({ source: key(e.from), target: key(e.to),
        label: { formatter: label(RELATION, e.kind) + (e.share != null ? ` ${Math.round(e.share * 100)}%` : "") + (e.role ? ` ${e.role}` : "") } })),
    }],
  });
  if (instance) {
    instance.on("click", (p) => {
      if (p.dataType === "node" && p.data.kind === "enterprise") location.href = `/graph?from=${encodeURIComponent(p.data.value)}`;
    });
  }
}
const RELATION = { shareholder: "持股", officer: "任职", legal_rep: "法定代表人", guarantee: "担保", supplier: "供货",
  tender: "中标", pledge: "质押", branch: "分支机构", control: "协议控制" };
/** A path as nodes joined by their relations: 甲 —持股 69%→ 乙 ←中标— 丙. */
function pathHtml(p) {
  const nodes = p.nodes || [];
  const node = (n) => `<span class="node">${n.kind === "enterprise" ? `<a href="/enterprises/${encodeURIComponent(n.id)}">${esc(n.name)}</a>` : esc(n.name)}</span>`;
  return nodes.map((n, i) => {
    const e = (p.edges || [])[i];
    if (!e || i === nodes.length - 1) return node(n);
    const what = label(RELATION, e.kind) + (e.share != null ? ` ${Math.round(e.share * 100)}%` : "") + (e.amount != null ? ` ${yuan(e.amount)}` : "");
    const forward = String(e.from) === String(n.id);
    return node(n) + `<span class="edge">${forward ? "—" + esc(what) + "→" : "←" + esc(what) + "—"}</span>`;
  }).join("") + ` <span class="muted">（${esc(p.length)} 步）</span>`;
}
screen(/^\/graph$/, pageGraph);
