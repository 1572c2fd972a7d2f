// trustgate dashboard: reads the JSON API once, then follows /api/v1/events.
// Every string from the server is written with textContent, never as HTML.
"use strict";
(function () {
  const $ = (s) => document.querySelector(s);
  const SVG = "http://www.w3.org/2000/svg";
  const PER_KIND = 20; // alert groups shown per kind before "N more"
  let workloads = {};
  let alerts = {}; // by id
  let audit = [];
  let buckets = [];
  let identities = null; // GET /api/v1/identities, null until loaded

  const arr = (v) => (Array.isArray(v) ? v : []);
  const str = (v) => (v == null ? "" : (typeof v === "string" ? v :
    (Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(", ") :
      (typeof v === "object" ? JSON.stringify(v) : String(v)))));
  function text(tag, s, cls) {
    const el = document.createElement(tag);
    el.textContent = str(s);
    if (cls) el.className = cls;
    return el;
  }
  function when(t) {
    const d = new Date(t);
    if (!t || isNaN(d.getTime()) || d.getFullYear() < 2000) return "—";
    const today = new Date().toDateString() === d.toDateString();
    return today ? d.toLocaleTimeString() : d.toLocaleString();
  }
  function age(sec) {
    if (typeof sec !== "number" || !isFinite(sec)) return "—";
    if (sec < 60) return Math.round(sec) + " s ago";
    if (sec < 3600) return Math.round(sec / 60) + " min ago";
    return Math.round(sec / 3600) + " h ago";
  }
  // safely runs one section's renderer, so a bad record costs that
  // section, not the page.
  function safely(name, fn) {
    try { fn(); } catch (e) { showError(name + ": " + e.message); }
  }
  function showError(msg) {
    const el = $("#error");
    el.hidden = false;
    el.textContent = "Part of the page could not be shown (" + msg + "). The data is in the JSON API under /api/v1/.";
  }

  function renderWorkloads() {
    const tb = $("#workloads tbody");
    tb.replaceChildren();
    const list = Object.values(workloads).sort((a, b) => str(a.key).localeCompare(str(b.key)));
    if (list.length === 0) {
      const tr = document.createElement("tr");
      const td = text("td", "No workload has sent a beacon yet.", "empty");
      td.colSpan = 7; tr.append(td); tb.append(tr); return;
    }
    for (const w of list) {
      const tr = document.createElement("tr");
      tr.dataset.workload = str(w.key);
      tr.append(text("td", w.key));
      const st = document.createElement("td");
      const label = w.attested ? "attested" : (w.late ? "beacon late" : (w.attestation_status || "unknown"));
      st.append(text("span", label, "badge " + (w.attested ? "ok" : (w.late ? "warn" : "bad"))));
      tr.append(st);
      tr.append(text("td", w.tee));
      tr.append(text("td", age(w.last_beacon_age_seconds)));
      tr.append(text("td", w.image_digest, "digest"));
      tr.append(text("td", w.initdata_digest, "digest"));
      tr.append(text("td", w.policy_id));
      tb.append(tr);
    }
  }

  async function acknowledge(id, btn) {
    btn.disabled = true;
    try {
      const r = await fetch("/api/v1/alerts/" + encodeURIComponent(id) + "/ack",
        { method: "POST", credentials: "same-origin", headers: { "X-Requested-With": "dashboard" } });
      if (!r.ok) throw new Error("HTTP " + r.status);
      const a = await r.json();
      alerts[a.id] = a;
      safely("alerts", renderAlerts);
    } catch (e) {
      btn.disabled = false;
      showError("acknowledge: " + e.message);
    }
  }
  function alertItem(a) {
    const li = document.createElement("li");
    li.className = str(a.kind).replace(/[^a-z0-9-]/g, "") + (a.acknowledged ? " acked" : "");
    li.dataset.id = str(a.id);
    const head = document.createElement("div");
    head.className = "alert-head";
    head.append(text("strong", a.kind));
    if (a.workload) head.append(text("span", a.workload, "workload"));
    if (a.source) head.append(text("span", "from " + str(a.source), "source"));
    const n = Number(a.count) || 1;
    head.append(text("span", n > 1 ? "× " + n : "once", "count"));
    head.append(text("span", n > 1 ? when(a.first) + " – " + when(a.last) : when(a.last || a.time), "time"));
    li.append(head);
    li.append(text("div", a.message, "message"));
    if (!a.acknowledged) {
      const b = text("button", "Acknowledge", "ack");
      b.type = "button";
      b.addEventListener("click", () => acknowledge(a.id, b));
      li.append(b);
    } else {
      li.append(text("span", "acknowledged", "acked-label"));
    }
    return li;
  }
  function renderAlerts() {
    const box = $("#alerts");
    box.replaceChildren();
    const list = Object.values(alerts);
    $("#alert-summary").textContent = list.length === 0 ? "" :
      list.filter((a) => !a.acknowledged).length + " open of " + list.length + " groups";
    if (list.length === 0) { box.append(text("li", "No alerts.", "empty")); return; }
    // One block per kind, so that a flood of one kind never hides another.
    const byKind = {};
    for (const a of list) (byKind[str(a.kind)] = byKind[str(a.kind)] || []).push(a);
    const last = (g) => Math.max(...g.map((a) => new Date(a.last || a.time).getTime() || 0));
    const kinds = Object.keys(byKind).sort((x, y) => last(byKind[y]) - last(byKind[x]));
    for (const k of kinds) {
      const g = byKind[k].sort((x, y) => (x.acknowledged - y.acknowledged) ||
        ((new Date(y.last || y.time).getTime() || 0) - (new Date(x.last || x.time).getTime() || 0)));
      const kli = document.createElement("li");
      kli.className = "kind";
      kli.append(text("h3", k + " (" + g.length + (g.length === 1 ? " group)" : " groups)")));
      const ul = document.createElement("ul");
      for (const a of g.slice(0, PER_KIND)) ul.append(alertItem(a));
      if (g.length > PER_KIND) ul.append(text("li", (g.length - PER_KIND) + " more " + k + " groups (all in /api/v1/alerts)", "more"));
      kli.append(ul);
      box.append(kli);
    }
  }

  function renderAudit() {
    const tb = $("#audit tbody");
    tb.replaceChildren();
    if (audit.length === 0) {
      const tr = document.createElement("tr");
      const td = text("td", "No decision from Trustee yet.", "empty");
      td.colSpan = 8; tr.append(td); tb.append(tr); return;
    }
    const known = new Set(["id", "time", "kind", "tee", "outcome", "reason", "policy_id", "resource", "action", "client", "claims_digest", "workload"]);
    for (const e of audit.slice(-200).reverse()) {
      const tr = document.createElement("tr");
      if (e.outcome !== "allow") tr.className = "deny";
      // Whatever else Trustee says about a decision (the failing check, the
      // claims involved) is shown after the reason.
      const extra = Object.keys(e).filter((k) => !known.has(k) && e[k] != null && str(e[k]) !== "")
        .map((k) => k + ": " + str(e[k]));
      const reason = [str(e.reason)].concat(extra).filter((s) => s !== "").join(" — ");
      let wl = e.workload;
      if (wl && typeof wl === "object") wl = [wl.namespace, wl.pod || wl.name].filter(Boolean).join("/");
      for (const v of [when(e.time), e.kind, e.tee, e.outcome, e.resource || e.action, reason, wl, e.client]) tr.append(text("td", v));
      tb.append(tr);
    }
  }

  // The chart: the last 30 minutes (empty minutes as zero), a y axis with
  // the count scale and an x axis with clock times.
  function renderChart() {
    const svg = $("#chart");
    svg.replaceChildren();
    const W = 640, H = 200, L = 40, R = 10, T = 10, B = 30;
    const slots = 30, minute = 60000;
    let end = Math.floor(Date.now() / minute) * minute;
    for (const b of buckets) { const t = new Date(b.minute).getTime(); if (t > end) end = t; }
    const start = end - (slots - 1) * minute;
    const data = [];
    for (let i = 0; i < slots; i++) data.push({ t: start + i * minute, releases: 0, denials: 0 });
    for (const b of buckets) {
      const i = Math.round((new Date(b.minute).getTime() - start) / minute);
      if (i >= 0 && i < slots) { data[i].releases += Number(b.releases) || 0; data[i].denials += Number(b.denials) || 0; }
    }
    const max = Math.max(1, ...data.map((d) => Math.max(d.releases, d.denials)));
    const top = max <= 4 ? max : Math.ceil(max / 4) * 4;
    const ph = H - T - B, pw = W - L - R, bw = pw / slots;
    const el = (tag, attrs, txt) => {
      const e = document.createElementNS(SVG, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      if (txt != null) e.textContent = txt;
      svg.append(e); return e;
    };
    el("line", { x1: L, y1: T, x2: L, y2: T + ph, class: "axis" });
    el("line", { x1: L, y1: T + ph, x2: L + pw, y2: T + ph, class: "axis" });
    const ticks = top <= 4 ? top : 4;
    for (let i = 0; i <= ticks; i++) {
      const v = Math.round((top * i) / ticks), y = T + ph - (v / top) * ph;
      el("line", { x1: L - 4, y1: y, x2: L + pw, y2: y, class: i === 0 ? "axis" : "grid" });
      el("text", { x: L - 6, y: y + 4, "text-anchor": "end", class: "tick y-tick" }, String(v));
    }
    data.forEach((d, i) => {
      [["releases", "rel", 0], ["denials", "den", bw / 2]].forEach(([k, cls, off]) => {
        const h = (d[k] / top) * ph;
        if (h <= 0) return;
        const r = el("rect", { x: L + i * bw + off + 1, width: Math.max(1, bw / 2 - 2), y: T + ph - h, height: h, class: "bar " + cls });
        const t = document.createElementNS(SVG, "title");
        t.textContent = new Date(d.t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + ": " + d[k] + " " + k;
        r.append(t);
      });
      if (i % 5 === 0 || i === slots - 1) {
        el("text", { x: L + i * bw + bw / 2, y: H - B + 16, "text-anchor": "middle", class: "tick x-tick" },
          new Date(d.t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
      }
    });
    el("text", { x: L + pw / 2, y: H - 2, "text-anchor": "middle", class: "axis-label" }, "time (one bar pair per minute)");
    el("text", { x: 12, y: T + ph / 2, "text-anchor": "middle", class: "axis-label", transform: "rotate(-90 12 " + (T + ph / 2) + ")" }, "decisions");
  }
  function bucketAdd(e) {
    if (e.kind !== "resource") return;
    const m = new Date(e.time); if (isNaN(m.getTime())) return;
    m.setSeconds(0, 0);
    let b = buckets.find((x) => new Date(x.minute).getTime() === m.getTime());
    if (!b) { b = { minute: m.toISOString(), releases: 0, denials: 0 }; buckets.push(b); }
    if (e.outcome === "allow") b.releases++; else b.denials++;
  }
  function renderIdentities() {
    const tb = $("#identities tbody");
    tb.replaceChildren();
    const empty = (msg) => {
      const tr = document.createElement("tr");
      const td = text("td", msg, "empty");
      td.colSpan = 6; tr.append(td); tb.append(tr);
    };
    if (identities == null) { empty("Loading…"); return; }
    if (identities.error) { empty(identities.error); return; }
    if (!identities.configured) { empty("The dashboard has no admin access to Trustee (--trustee-url), so it cannot list the identity certificates."); return; }
    const list = arr(identities.certificates).filter((c) => c && typeof c === "object");
    if (list.length === 0) { empty("No workload holds a valid identity certificate."); return; }
    for (const c of list) {
      const tr = document.createElement("tr");
      tr.dataset.spiffeId = str(c.spiffe_id);
      tr.className = "valid";
      tr.append(text("td", c.spiffe_id), text("td", c.tee || "—"), text("td", when(c.not_after)), text("td", when(c.issued)));
      const fp = text("td", str(c.key_fingerprint).slice(0, 16) + "…", "digest");
      fp.title = str(c.key_fingerprint);
      tr.append(fp, text("td", c.serial, "digest"));
      tb.append(tr);
    }
  }
  async function loadIdentities() {
    const r = await fetch("/api/v1/identities", { credentials: "same-origin" });
    let v = null;
    try { v = await r.json(); } catch (e) { v = null; }
    if (!v || typeof v !== "object") v = { error: "/api/v1/identities: HTTP " + r.status };
    else if (!r.ok && !v.error) v.error = "/api/v1/identities: HTTP " + r.status;
    identities = v;
    safely("identities", renderIdentities);
  }
  function renderAll() {
    safely("workloads", renderWorkloads);
    safely("identities", renderIdentities);
    safely("alerts", renderAlerts);
    safely("audit feed", renderAudit);
    safely("chart", renderChart);
  }
  async function load() {
    const get = async (p) => { const r = await fetch(p, { credentials: "same-origin" }); if (!r.ok) throw new Error(p + ": HTTP " + r.status); return r.json(); };
    const [ws, al, au, st] = await Promise.all([get("/api/v1/workloads"), get("/api/v1/alerts"), get("/api/v1/audit"), get("/api/v1/stats")]);
    workloads = {}; for (const w of arr(ws)) if (w && w.key != null) workloads[w.key] = w;
    alerts = {}; for (const a of arr(al)) if (a && a.id != null) alerts[a.id] = a;
    audit = arr(au).filter((e) => e && typeof e === "object");
    buckets = arr(st).filter((b) => b && typeof b === "object");
    await loadIdentities().catch((e) => { identities = { error: e.message }; });
    renderAll();
    document.body.dataset.loaded = "true";
  }
  // Live updates arrive in bursts; the page redraws at most every 250 ms.
  const pending = new Set();
  let timer = null;
  function later(name) {
    pending.add(name);
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      const p = [...pending]; pending.clear();
      if (p.includes("workloads")) safely("workloads", renderWorkloads);
      if (p.includes("alerts")) safely("alerts", renderAlerts);
      if (p.includes("audit")) { safely("audit feed", renderAudit); safely("chart", renderChart); }
    }, 250);
  }
  function on(es, name, fn) {
    es.addEventListener(name, (m) => { try { fn(JSON.parse(m.data)); } catch (e) { showError(name + " update: " + e.message); } });
  }
  function follow() {
    const es = new EventSource("/api/v1/events");
    es.onopen = () => { $("#conn").textContent = "live"; load().catch((e) => showError(e.message)); };
    es.onerror = () => { $("#conn").textContent = "reconnecting…"; };
    on(es, "workload", (w) => { workloads[w.key] = w; later("workloads"); });
    on(es, "workloads", (l) => { workloads = {}; for (const w of arr(l)) workloads[w.key] = w; later("workloads"); });
    on(es, "alert", (a) => { alerts[a.id] = a; later("alerts"); });
    on(es, "audit", (e) => { if (e && e.kind === "identity") loadIdentities().catch(() => {}); audit.push(e); if (audit.length > 1000) audit = audit.slice(-1000); bucketAdd(e); later("audit"); });
  }
  document.addEventListener("DOMContentLoaded", () => {
    renderAll();
    load().catch((e) => { $("#conn").textContent = "error"; showError(e.message); });
    follow();
    setInterval(() => safely("chart", renderChart), 30000);
    setInterval(() => loadIdentities().catch(() => {}), 30000); // certificates expire without an event
  });
})();
