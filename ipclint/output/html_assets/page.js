"use strict";
// A script error is shown on the page (and read by the tests) instead of leaving it half built.
window.addEventListener("error", (e) => { document.body.dataset.error = String(e.message); });
(function () {
  const data = JSON.parse(document.getElementById("ipclint-data").textContent);
  const graph = data.graph;
  const SVGNS = "http://www.w3.org/2000/svg";
  const ROLE_ORDER = ["renderer", "preload", "main", "shared"];
  const PARTS = [["senders", "Senders (renderer to main)"], ["handlers", "Handlers (main)"],
                 ["pushes", "Pushes (main to renderer)"], ["listeners", "Listeners (renderer)"]];

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }
  function svg(tag, attrs) {
    const node = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function where(x) { return x.path + ":" + x.line + (x.column ? ":" + x.column : ""); }
  function globToRegExp(glob) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(glob.includes("*") || glob.includes("?") ? "^" + body + "$" : body, "i");
  }

  // ---- header -----------------------------------------------------------------------------
  const versions = data.electron_version === null ? "unknown" :
    Array.isArray(data.electron_version) ? data.electron_version.join(", ") : data.electron_version;
  const sev = {};
  for (const f of data.findings) sev[f.severity] = (sev[f.severity] || 0) + 1;
  const parts = data.severities.filter((s) => sev[s]).map((s) => plural(sev[s], s));
  document.getElementById("meta").textContent = data.root + " · Electron " + versions + " · " +
    plural(data.findings.length, "finding") + (parts.length ? " (" + parts.join(", ") + ")" : "") + " in " +
    plural(data.files.analysed, "file") + " · " + data.files.skipped + " skipped" +
    (data.hidden_by_baseline ? " · " + data.hidden_by_baseline + " hidden by the baseline" : "") +
    " · ipclint " + data.tool.version;
  document.getElementById("n-findings").textContent = "(" + data.findings.length + ")";
  document.getElementById("n-channels").textContent = "(" + graph.channels.length + ")";

  // ---- tabs ---------------------------------------------------------------------------------
  function showTab(name) {
    for (const b of document.querySelectorAll(".tab")) b.setAttribute("aria-selected", String(b.dataset.tab === name));
    document.getElementById("findings-tab").hidden = name !== "findings";
    document.getElementById("graph-tab").hidden = name !== "graph";
    if (name === "graph") drawGraph();
  }
  for (const b of document.querySelectorAll(".tab")) b.addEventListener("click", () => showTab(b.dataset.tab));

  // ---- findings -------------------------------------------------------------------------------
  const fRule = document.getElementById("f-rule");
  const fSev = document.getElementById("f-severity");
  const fFile = document.getElementById("f-file");
  const rulesSeen = [...new Set(data.findings.map((f) => f.rule))].sort();
  for (const code of rulesSeen) {
    const r = data.rules.find((x) => x.code === code);
    fRule.append(el("option", { value: code, text: code + " " + (r ? r.name : "") }));
  }
  for (const s of data.severities) if (sev[s]) fSev.append(el("option", { value: s, text: s }));
  for (const p of [...new Set(data.findings.map((f) => f.path))].sort()) fFile.append(el("option", { value: p, text: p }));

  function excerpt(x) {
    if (!x || !x.lines) return null;
    const pre = el("pre", { class: "excerpt" });
    x.lines.forEach((text, i) => {
      const no = x.first + i;
      const hit = no >= x.line && no <= Math.max(x.line, x.end_line);
      const row = el("span", { class: "ln" + (hit ? " hit" : "") }, el("span", { class: "no", text: String(no) }));
      if (no === x.line) {
        const start = Math.max(0, x.column - 1);
        const end = x.end_line === x.line ? Math.max(start + 1, x.end_column - 1) : text.length;
        row.append(text.slice(0, start), el("mark", { text: text.slice(start, end) || " " }), text.slice(end));
      } else {
        row.append(text);
      }
      pre.append(row);
    });
    return pre;
  }

  const list = document.getElementById("findings");
  const cards = data.findings.map((f) => {
    const card = el("li", { class: "finding " + f.severity, "data-rule": f.rule, "data-severity": f.severity, "data-path": f.path },
      el("div", { class: "head" }, el("span", { class: "badge " + f.severity, text: f.severity }),
        el("span", { class: "rule", text: f.rule }), el("span", { class: "name", text: f.name }),
        el("span", { class: "loc", text: where(f) })),
      el("p", { class: "message", text: f.message }), excerpt(f.excerpt));
    if (f.related && f.related.length) {
      const ul = el("ul", { class: "related" });
      for (const r of f.related) ul.append(el("li", {}, el("span", { class: "loc", text: where(r) }), " " + (r.message || "")));
      card.append(ul);
    }
    if (f.trace && f.trace.length) {
      const ol = el("ol", { class: "trace" });
      for (const t of f.trace) ol.append(el("li", { class: "step" }, el("span", { class: "loc", text: where(t) }), " " + t.message));
      card.append(el("div", { class: "trace-title", text: "Trace" }), ol);
    }
    const help = el("p", { class: "help" }, el("b", { text: "help: " }), (f.help || "") + " ");
    if (f.docs) help.append(el("a", { href: f.docs, text: "rule documentation" }));
    card.append(help);
    list.append(card);
    return card;
  });

  function applyFindingFilters() {
    let shown = 0;
    for (const card of cards) {
      const ok = (!fRule.value || card.dataset.rule === fRule.value) &&
        (!fSev.value || card.dataset.severity === fSev.value) && (!fFile.value || card.dataset.path === fFile.value);
      card.hidden = !ok;
      if (ok) shown++;
    }
    document.getElementById("f-count").textContent = shown + " of " + plural(cards.length, "finding") + " shown";
    document.getElementById("no-findings").hidden = shown !== 0;
  }
  for (const s of [fRule, fSev, fFile]) s.addEventListener("change", applyFindingFilters);
  applyFindingFilters();

  if (data.errors.length) {
    document.getElementById("diagnostics").hidden = false;
    const ul = document.getElementById("diagnostic-list");
    for (const d of data.errors) {
      ul.append(el("li", {}, el("span", { class: "loc", text: d.path ? where(d) : "ipclint" }), " " + d.kind + ": " + d.message));
    }
  }

  // ---- channel graph --------------------------------------------------------------------------
  const gSearch = document.getElementById("g-search");
  const gApp = document.getElementById("g-app");
  const gRoles = document.getElementById("g-roles");
  const detail = document.getElementById("g-detail");
  for (const a of graph.apps) gApp.append(el("option", { value: a, text: a || "(repository root)" }));
  if (graph.apps.length < 2) gApp.closest("label").hidden = true;
  const rolesPresent = ROLE_ORDER.filter((r) => graph.nodes.some((n) => n.role === r));
  for (const r of rolesPresent) {
    gRoles.append(el("label", {}, el("input", { type: "checkbox", class: "g-role", value: r, checked: "checked" }), " " + r));
  }
  const nodeById = {};
  for (const n of graph.nodes) nodeById[n.id] = n;
  const fileApp = {};
  for (const f of graph.files) fileApp[f.path] = f.app;
  let selectedChannel = null;
  let selectedFile = null;

  function ends(c) { return PARTS.flatMap(([k]) => c[k] || []); }
  function activeRoles() { return new Set([...gRoles.querySelectorAll(".g-role")].filter((i) => i.checked).map((i) => i.value)); }
  function nodeVisible(n, roles) {
    if (!n) return true;
    return roles.has(n.role) && (!gApp.value || n.app === gApp.value || !n.app);
  }
  function channelVisible(c, roles, re) {
    if (re && !re.test(c.channel)) return false;
    return ends(c).some((e) => roles.has(e.role) && (!gApp.value || e.app === gApp.value || !e.app));
  }

  const channelList = document.getElementById("channel-list");
  const channelButtons = graph.channels.map((c) => {
    const bad = c.unhandled ? "never handled" : c.unused ? "never sent" : "";
    const b = el("button", { type: "button", class: "channel" + (bad ? " bad" : ""), "data-channel": c.channel, text: c.channel });
    if (bad) b.append(el("span", { class: "why", text: bad }));
    b.addEventListener("click", () => selectChannel(c.channel));
    channelList.append(el("li", {}, b));
    return b;
  });

  let drawn = false;
  const W = 250, H = 24, GAP = 8, COLGAP = 90, TOP = 34;
  const geometry = {};
  function drawGraph() {
    if (drawn) return;
    drawn = true;
    const svgEl = document.getElementById("g-svg");
    const defs = svg("defs");
    for (const [id, colour] of [["arrow", "#4b5563"], ["arrow-push", "#2563eb"], ["arrow-missing", "#b91c1c"]]) {
      const m = svg("marker", { id, viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "9", markerHeight: "9",
        markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" });
      m.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: colour }));
      defs.append(m);
    }
    svgEl.append(defs);
    const columns = rolesPresent.slice();
    if (graph.specials.length) columns.push("special");
    let maxRows = 0;
    columns.forEach((role, ci) => {
      const x = 10 + ci * (W + COLGAP);
      const t = svg("text", { x: String(x), y: "20", class: "col-title" });
      t.textContent = role === "special" ? "missing ends" : role;
      svgEl.append(t);
      const members = role === "special" ? graph.specials.map((s) => ({ id: s, path: s, role: "special" }))
        : graph.nodes.filter((n) => n.role === role).sort((a, b) => (a.app + a.path).localeCompare(b.app + b.path));
      members.forEach((n, ri) => {
        const y = TOP + ri * (H + GAP);
        geometry[n.id] = { x, y, col: ci };
        const label = role === "special" ? { nohandler: "no handler or listener", nosender: "no sender", dynamic: "dynamic channel" }[n.id] : n.path;
        const g = svg("g", { class: "node " + (role === "special" ? "special " + n.id : n.role), "data-id": n.id, "data-path": n.path });
        g.append(svg("rect", { x: String(x), y: String(y), width: String(W), height: String(H) }));
        const text = svg("text", { x: String(x + 6), y: String(y + 16) });
        text.textContent = label.length > 34 ? "…" + label.slice(label.length - 33) : label;
        const title = svg("title");
        title.textContent = label;
        g.append(text, title);
        if (role !== "special") g.addEventListener("click", () => selectFile(n.path));
        svgEl.append(g);
      });
      maxRows = Math.max(maxRows, members.length);
    });
    const width = 20 + columns.length * (W + COLGAP) - COLGAP, height = TOP + maxRows * (H + GAP) + 20;
    svgEl.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svgEl.style.maxWidth = width + "px";  // shrink to fit the panel, never enlarge
    graph.arrows.forEach((a, i) => {
      const s = geometry[a.from], t = geometry[a.to];
      if (!s || !t) return;
      let x1, x2, d;
      const y1 = s.y + H / 2, y2 = t.y + H / 2;
      if (t.col > s.col) { x1 = s.x + W; x2 = t.x; }
      else if (t.col < s.col) { x1 = s.x; x2 = t.x + W; }
      else { x1 = s.x + W; x2 = t.x + W; }
      if (t.col === s.col) d = `M ${x1} ${y1} C ${x1 + 60} ${y1}, ${x2 + 60} ${y2}, ${x2} ${y2}`;
      else { const mid = (x1 + x2) / 2; d = `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`; }
      const style = a.style === "request" ? "" : a.style;
      const p = svg("path", { d, class: "arrow " + style, "data-index": String(i),
        "marker-end": "url(#" + (style ? "arrow-" + style : "arrow") + ")" });
      const title = svg("title");
      title.textContent = Object.entries(a.labels).map(([k, v]) => k + ": " + v.join(", ")).join("\n");
      p.append(title);
      p.addEventListener("click", () => {
        const chans = [...new Set(Object.values(a.labels).flat())];
        showArrow(a, chans);
      });
      svgEl.insertBefore(p, svgEl.children[1]);
    });
    applyGraphFilters();
  }

  function arrowChannels(a) { return Object.values(a.labels).flat(); }
  function applyGraphFilters() {
    const roles = activeRoles();
    const q = gSearch.value.trim();
    const re = q ? globToRegExp(q) : null;
    let shown = 0;
    graph.channels.forEach((c, i) => {
      const ok = channelVisible(c, roles, re);
      channelButtons[i].parentElement.hidden = !ok;
      if (ok) shown++;
    });
    document.getElementById("g-count").textContent = shown + " of " + plural(graph.channels.length, "channel") + " shown";
    if (!drawn) return;
    const focus = selectedChannel ? (c) => c === selectedChannel : re ? (c) => re.test(c) : null;
    const lit = new Set();
    for (const p of document.querySelectorAll("#g-svg .arrow")) {
      const a = graph.arrows[Number(p.dataset.index)];
      const visible = nodeVisible(nodeById[a.from], roles) && nodeVisible(nodeById[a.to], roles);
      const hit = focus ? arrowChannels(a).some(focus) : false;
      p.style.display = visible ? "" : "none";
      p.classList.toggle("hit", hit && visible);
      p.classList.toggle("dim", !!focus && !hit);
      if (hit && visible) { lit.add(a.from); lit.add(a.to); }
    }
    for (const g of document.querySelectorAll("#g-svg .node")) {
      const n = nodeById[g.dataset.id];
      g.style.display = n && !nodeVisible(n, roles) ? "none" : "";
      g.classList.toggle("dim", !!focus && !lit.has(g.dataset.id) && !(selectedFile && n && n.path === selectedFile));
      g.classList.toggle("selected", !!(selectedFile && n && n.path === selectedFile));
    }
    // bring the first file the search or selection lights up into view (large apps scroll)
    const first = [...document.querySelectorAll("#g-svg .node")].find((g) => nodeById[g.dataset.id] &&
      (lit.has(g.dataset.id) || (selectedFile && nodeById[g.dataset.id].path === selectedFile)));
    if (first && (focus || selectedFile)) {
      const canvas = document.getElementById("g-canvas");
      const box = first.getBoundingClientRect(), view = canvas.getBoundingClientRect();
      if (box.top < view.top || box.bottom > view.bottom) canvas.scrollTop += box.top - view.top - 40;
    }
  }
  gSearch.addEventListener("input", () => { selectedChannel = null; applyGraphFilters(); });
  gApp.addEventListener("change", applyGraphFilters);
  gRoles.addEventListener("change", applyGraphFilters);

  function resetDetail(title) {
    detail.replaceChildren(el("h2", { text: title }));
    return detail;
  }
  function fileLink(e) {
    const a = el("button", { type: "button", class: "channel file-link", text: where(e) });
    a.addEventListener("click", () => selectFile(e.path));
    return a;
  }
  function selectChannel(name) {
    const c = graph.channels.find((x) => x.channel === name);
    if (!c) return;
    selectedChannel = name;
    selectedFile = null;
    for (const b of channelButtons) b.classList.toggle("selected", b.dataset.channel === name);
    const box = resetDetail("Channel " + name);
    box.classList.add("detail");
    box.dataset.channel = name;
    if (c.unhandled) box.append(el("p", { class: "channel bad", text: "Sent, but nothing handles or listens to it." }));
    if (c.unused) box.append(el("p", { class: "channel bad", text: "Handled, but nothing sends it." }));
    for (const [key, title] of PARTS) {
      const items = c[key] || [];
      if (!items.length && (key === "pushes" || key === "listeners") && !(c.pushes || []).length && !(c.listeners || []).length) continue;
      box.append(el("h3", { text: title }));
      const ul = el("ul", { class: "detail-list " + key });
      if (!items.length) ul.append(el("li", { class: "none", text: "none" }));
      for (const e of items) ul.append(el("li", { "data-kind": e.kind }, fileLink(e), " " + e.kind + " · " + e.role + (e.test ? " · test" : "")));
      box.append(ul);
    }
    applyGraphFilters();
  }
  function selectFile(path) {
    selectedFile = path;
    selectedChannel = null;
    for (const b of channelButtons) b.classList.remove("selected");
    const f = graph.files.find((x) => x.path === path) || { role: "?", reason: "" };
    const box = resetDetail(path);
    box.classList.add("detail");
    box.dataset.file = path;
    box.append(el("p", { text: f.role + (f.app ? " · app " + f.app : "") + (f.reason ? " · " + f.reason : "") }));
    const rows = [];
    for (const c of graph.channels) {
      for (const [key] of PARTS) for (const e of c[key] || []) if (e.path === path) rows.push([e.line, c.channel, e.kind, key]);
    }
    for (const e of graph.dynamic) if (e.path === path) rows.push([e.line, null, e.kind, "dynamic", e.expression]);
    rows.sort((a, b) => a[0] - b[0]);
    box.append(el("h3", { text: "IPC in this file" }));
    const ul = el("ul", { class: "detail-list file-ends" });
    if (!rows.length) ul.append(el("li", { class: "none", text: "none" }));
    for (const [line, ch, kind, , expr] of rows) {
      const li = el("li", {}, path + ":" + line + " " + kind + " ");
      if (ch === null) li.append(el("code", { text: "(dynamic) " + (expr || "") }));
      else {
        const b = el("button", { type: "button", class: "channel", text: ch });
        b.addEventListener("click", () => selectChannel(ch));
        li.append(b);
      }
      ul.append(li);
    }
    box.append(ul);
    applyGraphFilters();
  }
  function showArrow(a, chans) {
    const box = resetDetail(nodeLabel(a.from) + " → " + nodeLabel(a.to));
    const ul = el("ul", { class: "detail-list" });
    for (const ch of chans.sort()) {
      const b = el("button", { type: "button", class: "channel", text: ch });
      b.addEventListener("click", () => selectChannel(ch));
      ul.append(el("li", {}, b));
    }
    box.append(ul);
  }
  function nodeLabel(id) { return nodeById[id] ? nodeById[id].path : id; }

  // Deep links: #graph, #graph:channel=NAME, #graph:file=PATH, #findings:severity=error&rule=IPC001
  function fromHash() {
    const h = decodeURIComponent(location.hash.slice(1));
    if (!h) return;
    const [tab, query] = h.split(":", 2).length === 2 ? [h.slice(0, h.indexOf(":")), h.slice(h.indexOf(":") + 1)] : [h, ""];
    const params = new URLSearchParams(query);
    if (tab === "graph") {
      showTab("graph");
      if (params.get("search")) { gSearch.value = params.get("search"); applyGraphFilters(); }
      if (params.get("channel")) selectChannel(params.get("channel"));
      if (params.get("file")) selectFile(params.get("file"));
    } else if (tab === "findings") {
      if (params.get("rule")) fRule.value = params.get("rule");
      if (params.get("severity")) fSev.value = params.get("severity");
      if (params.get("file")) fFile.value = params.get("file");
      applyFindingFilters();
    }
  }
  applyGraphFilters();
  fromHash();
  document.body.dataset.ready = "true";
})();
