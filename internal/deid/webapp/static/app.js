// Review page for `deid serve`. Note text is only ever placed with
// textContent (never innerHTML), so a note cannot inject markup.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const list = document.getElementById("note-list");
  const types = list.dataset.types.split(",");
  const maxBatch = parseInt(list.dataset.maxBatch, 10);
  const maxUpload = parseInt(list.dataset.maxUpload, 10);
  const statusEl = document.getElementById("status");
  const errorsEl = document.getElementById("errors");
  const emptyEl = document.getElementById("empty");
  const notes = new Map(); // id -> note view from the server
  let selection = null; // {id, start, end} of text selected in an original

  function announce(msg) { statusEl.textContent = msg; }
  function showErrors(lines) { errorsEl.textContent = lines.join("\n"); }

  // Code point helpers: the server counts Unicode code points, JavaScript
  // strings count UTF-16 units, so never index a string with server offsets.
  const cps = (s) => Array.from(s);
  const cpLen = (s) => cps(s).length;

  async function api(method, url, body) {
    const opts = { method, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    let resp;
    try {
      resp = await fetch(url, opts);
    } catch (e) {
      throw new Error("The server could not be reached. Check the connection and try again.");
    }
    let data = null;
    try { data = await resp.json(); } catch (e) { /* not JSON */ }
    if (!resp.ok) throw new Error((data && data.error) || ("Request failed (" + resp.status + ")."));
    return data;
  }

  // Uploads use XMLHttpRequest because fetch cannot report upload progress.
  function upload(form) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      const bar = document.getElementById("upload-progress");
      const txt = document.getElementById("progress-text");
      xhr.open("POST", "/api/notes");
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.responseType = "json";
      bar.hidden = false; bar.value = 0; txt.textContent = "";
      xhr.upload.onprogress = (e) => {
        if (!e.lengthComputable) return;
        const pct = Math.round((100 * e.loaded) / e.total);
        bar.value = pct; txt.textContent = pct + "% sent";
      };
      xhr.upload.onload = () => { txt.textContent = "Sent. De-identifying…"; announce("Upload complete. De-identifying…"); };
      xhr.onload = () => {
        txt.textContent = "";
        bar.hidden = true;
        const data = xhr.response;
        if (xhr.status >= 200 && xhr.status < 300) resolve(data);
        else if (data && data.errors && data.errors.length) resolve(data);
        else reject(new Error((data && data.error) || ("Upload failed (" + xhr.status + ").")));
      };
      xhr.onerror = () => { bar.hidden = true; txt.textContent = ""; reject(new Error("The upload failed: the server could not be reached or closed the connection.")); };
      xhr.send(form);
    });
  }

  function handleUploadResult(data) {
    const errs = (data.errors || []).map((e) => e.name + ": " + e.error);
    showErrors(errs);
    (data.notes || []).forEach((n) => { notes.set(n.id, n); render(n); });
    const n = (data.notes || []).length;
    announce(n + (n === 1 ? " note" : " notes") + " ready for review" + (errs.length ? "; " + errs.length + " refused (see below)." : "."));
    if (n) {
      const first = document.getElementById("note-" + data.notes[0].id);
      if (first) first.querySelector("h3").focus();
    }
  }

  document.getElementById("paste-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const ta = document.getElementById("paste");
    if (ta.value.trim() === "") { showErrors(["The note is empty: paste some text first."]); ta.focus(); return; }
    const fd = new FormData();
    fd.append("text", ta.value);
    const btn = document.getElementById("paste-submit");
    btn.disabled = true;
    try {
      const data = await upload(fd);
      handleUploadResult(data);
      if ((data.notes || []).length) ta.value = "";
    } catch (e) { showErrors([e.message]); }
    finally { btn.disabled = false; }
  });

  document.getElementById("upload-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = document.getElementById("files");
    const files = Array.from(input.files);
    if (!files.length) { showErrors(["Choose one or more .txt files first."]); input.focus(); return; }
    if (files.length > maxBatch) { showErrors(["You chose " + files.length + " files; the limit is " + maxBatch + " per batch. Upload them in smaller batches."]); return; }
    const total = files.reduce((a, f) => a + f.size, 0);
    if (total > maxUpload) { showErrors(["These files total " + (total / 1048576).toFixed(1) + " MiB; the limit per upload is " + (maxUpload / 1048576).toFixed(1) + " MiB."]); return; }
    const fd = new FormData();
    files.forEach((f) => fd.append("files", f, f.name));
    const btn = document.getElementById("upload-submit");
    btn.disabled = true;
    announce("Uploading " + files.length + (files.length === 1 ? " file…" : " files…"));
    try { handleUploadResult(await upload(fd)); input.value = ""; }
    catch (e) { showErrors([e.message]); announce(""); }
    finally { btn.disabled = false; }
  });

  // Build text with highlighted spans. Each segment carries its code point
  // offset so a selection can be mapped back to the server's offsets.
  function segments(container, text, spans, makeSpan) {
    container.textContent = "";
    const chars = cps(text);
    let pos = 0;
    const plain = (a, b) => {
      if (b <= a) return;
      const s = document.createElement("span");
      s.dataset.start = a;
      s.textContent = chars.slice(a, b).join("");
      container.appendChild(s);
    };
    spans.forEach((sp, i) => {
      plain(pos, sp.start);
      const el = makeSpan(sp, i, chars.slice(sp.start, sp.end).join(""));
      el.dataset.start = sp.start;
      container.appendChild(el);
      pos = sp.end;
    });
    plain(pos, chars.length);
  }

  function render(n) {
    emptyEl.hidden = true;
    let art = document.getElementById("note-" + n.id);
    if (!art) {
      art = document.createElement("article");
      art.id = "note-" + n.id;
      art.setAttribute("aria-labelledby", "h-" + n.id);
      list.appendChild(art);
    }
    art.className = "note " + n.status;
    art.textContent = "";
    const h = document.createElement("h3");
    h.id = "h-" + n.id;
    h.tabIndex = -1;
    h.textContent = n.name;
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = { pending: "Pending review", approved: "Approved and uploaded", rejected: "Rejected and discarded" }[n.status] || n.status;
    h.appendChild(badge);
    art.appendChild(h);
    const ran = document.createElement("p");
    ran.className = "detectors";
    const names = { rules: "rules", tagger: "statistical tagger", ner: "transformer model" };
    ran.textContent = "Detectors run: " + ((n.detectors && n.detectors.length) ? n.detectors.map((d) => names[d] || d).join(", ") : "none") + ".";
    art.appendChild(ran);

    if (n.status === "rejected") {
      const p = document.createElement("p");
      p.textContent = "This note was discarded; nothing was uploaded.";
      art.appendChild(p);
      return;
    }
    const panes = document.createElement("div");
    panes.className = "panes";
    if (n.status === "pending") {
      const orig = pane(panes, "Original", "orig-" + n.id);
      orig.classList.add("original");
      orig.dataset.note = n.id;
      segments(orig, n.text, n.spans, (sp, i, value) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "span t-" + sp.type + (sp.recognizer === "clinician" ? " manual" : "");
        b.textContent = value;
        b.setAttribute("aria-label", sp.type + ": " + value + ". Remove this highlight");
        b.title = sp.type + " — click to remove";
        b.addEventListener("click", () => removeSpan(n.id, i));
        return b;
      });
    }
    const red = pane(panes, n.status === "approved" ? "Uploaded de-identified text" : "De-identified", "red-" + n.id);
    red.classList.add("redacted");
    segments(red, n.redacted.text, n.redacted.spans, (sp) => {
      const m = document.createElement("mark");
      m.className = "t-" + sp.type;
      m.textContent = cps(n.redacted.text).slice(sp.start, sp.end).join("");
      return m;
    });
    art.appendChild(panes);

    if (n.status === "approved") {
      const p = document.createElement("p");
      p.textContent = "Uploaded as " + n.blob + " with its span report. The original was discarded.";
      art.appendChild(p);
      return;
    }
    art.appendChild(editControls(n));
    const dec = document.createElement("div");
    dec.className = "decide";
    dec.appendChild(button("Approve and upload", "primary", () => decide(n.id, "approve")));
    dec.appendChild(button("Reject and discard", "danger", () => decide(n.id, "reject")));
    art.appendChild(dec);
  }

  function pane(parent, title, id) {
    const d = document.createElement("div");
    d.className = "pane";
    const h = document.createElement("h4");
    h.id = id + "-h";
    h.textContent = title;
    const t = document.createElement("div");
    t.className = "text";
    t.id = id;
    t.setAttribute("role", "region");
    t.setAttribute("aria-labelledby", h.id);
    // Changes are announced once through #status; a live text pane would
    // read the whole note aloud on every edit.
    t.tabIndex = 0;
    d.appendChild(h);
    d.appendChild(t);
    parent.appendChild(d);
    return t;
  }

  function button(label, cls, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function editControls(n) {
    const box = document.createElement("div");
    box.className = "edit";
    const sel = document.createElement("p");
    sel.className = "selection";
    sel.id = "sel-" + n.id;
    sel.textContent = "Select text in the original, or type it below, to mark a missed item.";
    box.appendChild(sel);

    const pl = document.createElement("div");
    const plLabel = document.createElement("label");
    plLabel.htmlFor = "phrase-" + n.id;
    plLabel.textContent = "Text to mark";
    const phrase = document.createElement("input");
    phrase.type = "text";
    phrase.id = "phrase-" + n.id;
    phrase.className = "phrase";
    phrase.autocomplete = "off";
    pl.appendChild(plLabel); pl.appendChild(phrase);
    box.appendChild(pl);

    const tl = document.createElement("div");
    const tLabel = document.createElement("label");
    tLabel.htmlFor = "type-" + n.id;
    tLabel.textContent = "Type";
    const select = document.createElement("select");
    select.id = "type-" + n.id;
    select.className = "type";
    types.forEach((t) => { const o = document.createElement("option"); o.value = t; o.textContent = t; select.appendChild(o); });
    tl.appendChild(tLabel); tl.appendChild(select);
    box.appendChild(tl);

    box.appendChild(button("Mark as PHI", "mark", () => markSpan(n.id, phrase, select.value)));
    phrase.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); markSpan(n.id, phrase, select.value); } });
    return box;
  }

  // Track selections inside an original pane, in code points.
  document.addEventListener("selectionchange", () => {
    const s = document.getSelection();
    if (!s || s.rangeCount === 0 || s.isCollapsed) return;
    const r = s.getRangeAt(0);
    const pane = (r.commonAncestorContainer.nodeType === 1 ? r.commonAncestorContainer : r.commonAncestorContainer.parentElement).closest(".original");
    if (!pane) return;
    const start = pointToOffset(pane, r.startContainer, r.startOffset);
    const end = pointToOffset(pane, r.endContainer, r.endOffset);
    if (start === null || end === null || end <= start) return;
    selection = { id: pane.dataset.note, start, end };
    const el = document.getElementById("sel-" + pane.dataset.note);
    if (el) el.textContent = "Selected characters " + start + "–" + end + ". Choose a type and “Mark as PHI”.";
  });

  function pointToOffset(pane, node, offset) {
    if (node.nodeType === 3) {
      const seg = node.parentElement.closest("[data-start]");
      if (!seg || !pane.contains(seg)) return null;
      return parseInt(seg.dataset.start, 10) + cpLen(node.textContent.slice(0, offset));
    }
    const kids = node === pane ? pane.children : null;
    if (!kids) return null;
    if (offset < kids.length) return parseInt(kids[offset].dataset.start, 10);
    const n = notes.get(pane.dataset.note);
    return n ? cpLen(n.text) : null;
  }

  async function saveSpans(id, spans, message) {
    try {
      const n = await api("POST", "/api/notes/" + id + "/spans", { spans: spans.map((s) => ({ start: s.start, end: s.end, type: s.type })) });
      notes.set(id, n);
      render(n);
      announce(message);
      showErrors([]);
    } catch (e) { showErrors([e.message]); }
  }

  function removeSpan(id, i) {
    const n = notes.get(id);
    const sp = n.spans[i];
    const rest = n.spans.filter((_, k) => k !== i);
    saveSpans(id, rest, "Removed the " + sp.type + " highlight. The de-identified text was updated.").then(() => {
      const pane = document.getElementById("orig-" + id);
      if (!pane) return;
      const next = pane.querySelectorAll("button.span")[Math.min(i, rest.length - 1)];
      (next || pane).focus();
    });
  }

  function markSpan(id, phrase, type) {
    const n = notes.get(id);
    let add = [];
    if (selection && selection.id === id) {
      add.push({ start: selection.start, end: selection.end, type });
      selection = null;
    } else {
      const want = phrase.value.trim();
      if (!want) { showErrors(["Select text in the original or type the text to mark."]); phrase.focus(); return; }
      const chars = cps(n.text);
      const w = cps(want);
      for (let i = 0; i + w.length <= chars.length; i++) {
        let ok = true;
        for (let k = 0; k < w.length; k++) if (chars[i + k] !== w[k]) { ok = false; break; }
        if (ok) { add.push({ start: i, end: i + w.length, type }); i += w.length - 1; }
      }
      if (!add.length) { showErrors(["That text does not occur in this note."]); phrase.focus(); return; }
    }
    phrase.value = "";
    const count = add.length;
    saveSpans(id, n.spans.concat(add), "Marked " + count + (count === 1 ? " occurrence" : " occurrences") + " as " + type + ". The de-identified text was updated.")
      .then(() => { const p = document.getElementById("phrase-" + id); if (p) p.focus(); });
  }

  async function decide(id, action) {
    const art = document.getElementById("note-" + id);
    art.querySelectorAll(".decide button").forEach((b) => { b.disabled = true; });
    try {
      const n = await api("POST", "/api/notes/" + id + "/" + action);
      notes.set(id, n);
      render(n);
      announce(action === "approve" ? "Approved: the de-identified note was uploaded." : "Rejected: the note was discarded.");
      showErrors([]);
      document.getElementById("h-" + id).focus();
    } catch (e) {
      showErrors([e.message]);
      art.querySelectorAll(".decide button").forEach((b) => { b.disabled = false; });
    }
  }

  // Restore the session's notes after a reload.
  api("GET", "/api/notes").then((data) => {
    (data.notes || []).forEach((n) => { notes.set(n.id, n); render(n); });
  }).catch((e) => showErrors([e.message]));
})();
