// trustgate dashboard: reads the JSON API once, then follows /api/v1/events.
"use strict";
(function () {
  const $ = (s) => document.querySelector(s);
  let workloads = {};
  let alerts = [];
  let audit = [];
  let buckets = [];

  function text(tag, s, cls) {
    const el = document.createElement(tag);
    el.textContent = s == null ? "" : String(s);
    if (cls) el.className = cls;
    return el;
  }
  function age(sec) {
    if (sec < 60) return Math.round(sec) + " s ago";
    if (sec < 3600) return Math.round(sec / 60) + " min ago";
    return Math.round(sec / 3600) + " h ago";
  }
  function renderWorkloads() {
    const tb = $("#workloads tbody");
    tb.replaceChildren();
    const list = Object.values(workloads).sort((a, b) => a.key.localeCompare(b.key));
    if (list.length === 0) {
      const tr = document.createElement("tr");
      const td = text("td", "No workload has sent a beacon yet.");
      td.colSpan = 6; tr.append(td); tb.append(tr); return;
    }
    for (const w of list) {
      const tr = document.createElement("tr");
      tr.dataset.workload = w.key;
      tr.append(text("td", w.key));
      const st = document.createElement("td");
      const label = w.attested ? "attested" : (w.late ? "beacon late" : (w.attestation_status || "unknown"));
      st.append(text("span", label, "badge " + (w.attested ? "ok" : (w.late ? "warn" : "bad"))));
      tr.append(st);
      tr.append(text("td", w.tee));
      tr.append(text("td", age(w.last_beacon_age_seconds)));
      tr.append(text("td", w.image_digest, "digest"));
      tr.append(text("td", w.policy_id));
      tb.append(tr);
    }
  }
  function renderAlerts() {
    const ul = $("#alerts");
    ul.replaceChildren();
    if (alerts.length === 0) { ul.append(text("li", "No alerts.", "empty")); return; }
    for (const a of alerts.slice(-100).reverse()) {
      const li = text("li", new Date(a.time).toLocaleTimeString() + " — " + a.kind + ": " + a.message, a.kind);
      ul.append(li);
    }
  }
  function renderAudit() {
    const tb = $("#audit tbody");
    tb.replaceChildren();
    for (const e of audit.slice(-200).reverse()) {
      const tr = document.createElement("tr");
      if (e.outcome !== "allow") tr.className = "deny";
      for (const v of [new Date(e.time).toLocaleTimeString(), e.kind, e.tee, e.outcome, e.resource, e.reason, e.client]) tr.append(text("td", v));
      tb.append(tr);
    }
  }
  function renderChart() {
    const svg = $("#chart");
    const ns = "http://www.w3.org/2000/svg";
    svg.replaceChildren();
    const data = buckets.slice(-30);
    const max = Math.max(1, ...data.map((b) => Math.max(b.releases, b.denials)));
    const w = 600 / 30;
    data.forEach((b, i) => {
      [["releases", "#1b7f3b", 0], ["denials", "#b3261e", w / 2]].forEach(([k, color, off]) => {
        const h = (b[k] / max) * 150;
        const r = document.createElementNS(ns, "rect");
        r.setAttribute("x", i * w + off + 1); r.setAttribute("width", w / 2 - 2);
        r.setAttribute("y", 160 - h); r.setAttribute("height", h); r.setAttribute("fill", color);
        const t = document.createElementNS(ns, "title");
        t.textContent = new Date(b.minute).toLocaleTimeString() + ": " + b[k] + " " + k;
        r.append(t); svg.append(r);
      });
    });
  }
  function bucketAdd(e) {
    if (e.kind !== "resource") return;
    const m = new Date(e.time); m.setSeconds(0, 0);
    let b = buckets.find((x) => new Date(x.minute).getTime() === m.getTime());
    if (!b) { b = { minute: m.toISOString(), releases: 0, denials: 0 }; buckets.push(b); }
    if (e.outcome === "allow") b.releases++; else b.denials++;
  }
  async function load() {
    const get = async (p) => { const r = await fetch(p, { credentials: "same-origin" }); if (!r.ok) throw new Error(p + ": " + r.status); return r.json(); };
    const [ws, al, au, st] = await Promise.all([get("/api/v1/workloads"), get("/api/v1/alerts"), get("/api/v1/audit"), get("/api/v1/stats")]);
    workloads = {}; for (const w of ws) workloads[w.key] = w;
    alerts = al; audit = au; buckets = st;
    renderWorkloads(); renderAlerts(); renderAudit(); renderChart();
  }
  function follow() {
    const es = new EventSource("/api/v1/events");
    es.onopen = () => { $("#conn").textContent = "live"; load().catch(() => {}); };
    es.onerror = () => { $("#conn").textContent = "reconnecting…"; };
    es.addEventListener("workload", (m) => { const w = JSON.parse(m.data); workloads[w.key] = w; renderWorkloads(); });
    es.addEventListener("workloads", (m) => { workloads = {}; for (const w of JSON.parse(m.data)) workloads[w.key] = w; renderWorkloads(); });
    es.addEventListener("alert", (m) => { alerts.push(JSON.parse(m.data)); renderAlerts(); });
    es.addEventListener("audit", (m) => { const e = JSON.parse(m.data); audit.push(e); bucketAdd(e); renderAudit(); renderChart(); });
  }
  document.addEventListener("DOMContentLoaded", () => { load().catch((e) => { $("#conn").textContent = "error: " + e.message; }); follow(); });
})();
