// The page of `go run ./runner serve`: the lessons as cells with a Run
// button; what a step prints arrives on the event stream. Every HTML string
// set here comes from the server, escaped there (serve_html.go).
"use strict";

let T = {};              // the page's words, in the learner's language
// This tab's name, in each request and on its stream: a stream that
// reconnects (or a reload) is the same tab, and keeps the step it started.
const client = sessionStorage.getItem("client") || (() => {
  const id = [...crypto.getRandomValues(new Uint8Array(12))].map(b => b.toString(16).padStart(2, "0")).join("");
  sessionStorage.setItem("client", id);
  return id;
})();
let lastId = 0;          // the last event seen: a reconnected stream replays the run
let current = null;      // the lesson on the page
let running = "";        // the cell that runs, "" for none
const outputs = {};      // cell id → {lines: [events], status}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v;
    else if (k === "html") e.innerHTML = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, "");
    else if (v !== false && v != null) e.setAttribute(k, v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

// fmt fills a text's %s in turn: the catalogue's texts are formats.
function fmt(format, ...args) {
  return format.replace(/%s/g, () => String(args.shift()));
}

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  };
  const r = await fetch(path, init);
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

// say shows a message in a cell's output, as the server's notes are.
function say(cell, text, kind) {
  const box = document.getElementById("out-" + cell);
  if (box) box.append(el("div", {class: "line k-" + (kind || "warn") + " red", text: text}));
}

// ---- the lesson list

async function loadList() {
  const list = await api("/api/lessons");
  const ol = document.getElementById("lesson-list");
  ol.replaceChildren(...list.map(l => {
    const a = el("a", {href: "#lesson-" + l.number, class: l.unmet ? "unmet" : null,
      title: l.unmet ? fmt(T.notHere, l.unmet) : l.goal},
      el("span", {class: "mark", text: l.done ? "✓" : "", "aria-hidden": "true"}),
      l.number + " · " + l.title + (l.score ? " · " + l.score : ""));
    if (l.done) a.setAttribute("aria-label", l.number + " · " + l.title + " (" + T.ok + ")");
    if (current === l.number) a.setAttribute("aria-current", "page");
    return el("li", {}, a);
  }));
  const ex = await api("/api/exercises");
  const a = el("a", {href: "#exercises", class: "all-exercises"}, ex.label);
  if (current === "exercises") a.setAttribute("aria-current", "page");
  ol.append(el("li", {}, a));
  return list;
}

// ---- a lesson

async function openLesson(n) {
  const l = await api("/api/lessons/" + n);
  current = l.number;
  const main = document.getElementById("lesson");
  const parts = [
    el("h2", {text: l.number + " · " + l.title}),
    el("p", {class: "goal", text: l.goal}),
  ];
  if (l.unmet) parts.push(el("p", {class: "notice", text: fmt(T.notHere, l.unmet) + ". " + (l.howTo || "")}));
  for (const s of l.steps) parts.push(stepCell(l, s));
  parts.push(el("section", {class: "summary"}, el("h3", {text: T.summary}),
    el("ul", {}, ...l.summary.map(p => el("li", {text: p})))));
  if (l.quiz && l.quiz.length) parts.push(quizForm(l));
  if (l.exercises && l.exercises.length) parts.push(exerciseList(l.exercises));
  main.replaceChildren(...parts);
  for (const s of l.steps) replay(s.cell);
  for (const x of l.exercises || []) replay(x.cell);
  setRunning(running);
  await loadList();
}

function stepCell(l, s) {
  const total = l.steps.length;
  const title = el("h3", {id: "title-" + s.cell}, (T.step || "Step") + " " + s.number + "/" + total + " · " + s.title);
  if (s.edited) title.append(el("span", {class: "badge edited", text: T.edited}));
  const run = el("button", {type: "button", class: "primary run", "data-cell": s.cell,
    "aria-describedby": "title-" + s.cell, text: "▶ " + T.run});
  run.addEventListener("click", () => runStep(l.number, s.number, false));
  const actions = el("div", {class: "actions"}, run);
  const code = el("div", {class: "code"}, el("div", {class: "head", text: T.code}),
    el("pre", {}, el("code", {html: s.code})));
  const cell = el("section", {class: "cell", id: "cell-" + s.cell, "aria-labelledby": "title-" + s.cell},
    title, el("div", {class: "narration", html: s.narration}), code, actions,
    el("div", {class: "needs", id: "needs-" + s.cell, hidden: true}),
    el("div", {class: "output", id: "out-" + s.cell, "aria-live": "polite"}));
  if (s.unmet) {
    run.disabled = true;
    actions.append(el("span", {class: "status skipped", text: fmt(T.notHere, s.unmet)}));
    return cell;
  }
  if (l.canEdit && !s.noEdit) {
    const edit = el("button", {type: "button", class: "edit", text: "✎ " + T.edit});
    edit.addEventListener("click", () => openEditor(l, s, cell, code));
    actions.append(edit);
  }
  actions.append(el("span", {class: "status", id: "status-" + s.cell, role: "status", tabindex: "-1"}));
  return cell;
}

async function runStep(lesson, step, needs) {
  const cell = "s" + lesson + "-" + step;
  const box = document.getElementById("needs-" + cell);
  if (box.contains(document.activeElement)) {
    // The button that had the focus goes: the focus stays in the cell.
    document.getElementById("status-" + cell).focus();
  }
  box.hidden = true;
  try {
    const r = await api("/api/run", {lesson, step, needs, client});
    if (r.needs) {
      const first = el("button", {type: "button", class: "primary", text: "▶ " + T.runFirst});
      first.addEventListener("click", () => runStep(lesson, step, true));
      box.replaceChildren(el("p", {text: T.needsFirst + " " + r.needs.map(n => n.Number + " · " + n.Title).join(", ")}), first);
      box.hidden = false;
      first.focus();
    }
  } catch (e) {
    say(cell, e.message);
  }
}

// ---- editing a step

function openEditor(l, s, cell, code) {
  if (cell.querySelector("textarea")) return;
  const area = el("textarea", {class: "editor", spellcheck: "false", "aria-label": fmt(T.editStep, s.title)});
  area.value = s.edited || s.source;
  area.rows = Math.min(30, area.value.split("\n").length + 2);
  const runEdit = el("button", {type: "button", class: "primary", text: "▶ " + T.runEdited});
  const restore = el("button", {type: "button", text: T.restore});
  const close = el("button", {type: "button", text: T.cancelEdit});
  const bar = el("div", {class: "actions"}, runEdit, restore, close);
  runEdit.addEventListener("click", async () => {
    try { await api("/api/edit", {lesson: l.number, step: s.number, code: area.value, client}); s.edited = area.value; }
    catch (e) { say(s.cell, e.message); }
  });
  restore.addEventListener("click", async () => {
    try { await api("/api/restore", {lesson: l.number, step: s.number}); area.value = s.source; s.edited = ""; }
    catch (e) { say(s.cell, e.message); }
  });
  close.addEventListener("click", () => { area.remove(); bar.remove(); code.hidden = false; });
  code.hidden = true;
  code.after(area, bar);
  area.focus();
}

// ---- quiz and exercises

function quizForm(l) {
  const form = el("form", {class: "quiz"}, el("h3", {text: T.quiz}));
  l.quiz.forEach((q, i) => {
    const fs = el("fieldset", {}, el("legend", {text: (i + 1) + ". " + q.ask}));
    if (q.about) fs.append(el("p", {class: "dim", text: q.about}));
    q.choices.forEach((c, k) => {
      fs.append(el("label", {}, el("input", {type: "radio", name: "q" + i, value: String(k), required: !q.about}), " " + c));
    });
    fs.append(el("div", {class: "verdict", id: "verdict-" + l.number + "-" + i, "aria-live": "polite"}));
    form.append(fs);
  });
  const result = el("p", {class: "score", role: "status"});
  form.append(el("button", {type: "submit", class: "primary", text: T.answer}), result);
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const data = new FormData(form);
    const answers = l.quiz.map((q, i) => data.has("q" + i) ? Number(data.get("q" + i)) : null);
    try {
      const r = await api("/api/quiz", {lesson: l.number, answers});
      r.verdicts.forEach((v, i) => {
        const box = document.getElementById("verdict-" + l.number + "-" + i);
        box.replaceChildren(v.left ? el("span", {class: "verdict dim", text: T.left}) :
          el("span", {class: "verdict " + (v.right ? "right" : "wrong"), text: v.right ? "✔ " + T.right : "✘ " + fmt(T.wrong, v.answer)}),
          el("p", {class: "why", text: v.why}));
      });
      result.textContent = r.right + "/" + r.total + " " + T.score;
      loadList();
    } catch (e) {
      result.textContent = e.message;
    }
  });
  return form;
}

async function openExercises() {
  const r = await api("/api/exercises");
  current = "exercises";
  document.getElementById("lesson").replaceChildren(el("h2", {text: T.allExercises}), exerciseList(r.exercises));
  for (const x of r.exercises) replay(x.cell);
  setRunning(running);
  await loadList();
}

function exerciseList(exercises) {
  const sec = el("section", {class: "exercises"}, el("h3", {text: T.exercises}), el("p", {text: T.exerciseHow}));
  for (const x of exercises) {
    const check = el("button", {type: "button", class: "primary check", "data-cell": x.cell, text: "✔ " + T.check + " " + x.id});
    check.addEventListener("click", async () => {
      try { await api("/api/check", {id: x.id, client}); } catch (e) { say(x.cell, e.message); }
    });
    if (x.unmet) check.disabled = true;
    sec.append(el("div", {class: "exercise", id: "cell-" + x.cell},
      el("h4", {text: x.id + " · " + x.title + (x.passed ? " ✓" : "")}),
      el("p", {text: x.goal}), x.vars ? el("p", {class: "dim", text: x.vars}) : null, el("p", {}, el("code", {text: x.file})),
      el("div", {class: "actions"}, check, x.unmet ? el("span", {class: "status skipped", text: fmt(T.notHere, x.unmet)}) : null,
        el("span", {class: "status", id: "status-" + x.cell, role: "status"})),
      el("div", {class: "output", id: "out-" + x.cell, "aria-live": "polite"})));
  }
  return sec;
}

// ---- the event stream

function lineOf(e) {
  const d = el("div", {class: "line k-" + e.kind, html: e.html});
  if (e.record) {
    d.classList.add("record", e.record.kind);
    d.dataset.kind = e.record.kind;
    d.dataset.topic = e.record.topic;
    d.dataset.partition = e.record.partition;
    d.dataset.offset = e.record.offset;
  }
  return d;
}

function replay(cell) {
  const o = outputs[cell];
  const box = document.getElementById("out-" + cell);
  if (!o || !box) return;
  box.replaceChildren(...o.lines.map(lineOf));
  showStatus(cell, o.status);
}

function showStatus(cell, status) {
  const s = document.getElementById("status-" + cell);
  if (!s) return;
  s.className = "status " + (status || "");
  s.textContent = status ? (status === "running" ? T.running : T[status] || status) : "";
}

function setRunning(cell) {
  running = cell;
  document.getElementById("stop").hidden = !cell;
  for (const b of document.querySelectorAll("button.run, button.check")) {
    const unmet = b.closest(".cell, .exercise").querySelector(".status.skipped");
    b.disabled = !!cell || !!unmet;
  }
  for (const c of document.querySelectorAll(".cell.running")) c.classList.remove("running");
  if (cell) {
    const c = document.getElementById("cell-" + cell);
    if (c) c.classList.add("running");
  }
}

function onEvent(e) {
  if (e.type === "hello") {
    document.getElementById("conn").textContent = "";
    return;
  }
  if (e.type !== "cluster") { // the panel's last picture comes whatever its number
    if (e.id <= lastId) return; // seen before this stream reconnected
    lastId = e.id;
  }
  switch (e.type) {
  case "start":
    outputs[e.cell] = {lines: [], status: "running"};
    replay(e.cell);
    setRunning(e.cell);
    break;
  case "out": {
    const o = outputs[e.cell] || (outputs[e.cell] = {lines: [], status: "running"});
    o.lines.push(e);
    const box = document.getElementById("out-" + e.cell);
    if (box) box.append(lineOf(e));
    break;
  }
  case "end":
    if (outputs[e.cell]) outputs[e.cell].status = e.status;
    showStatus(e.cell, e.status);
    break;
  case "idle":
    setRunning("");
    loadList();
    break;
  case "cluster":
    document.getElementById("cluster-panel").innerHTML = e.html;
    break;
  }
}

function connect() {
  const es = new EventSource("/api/events?client=" + client);
  es.onmessage = m => onEvent(JSON.parse(m.data));
  es.onerror = () => { document.getElementById("conn").textContent = T.offline; };
}

// ---- start

function route() {
  const show = e => { document.getElementById("lesson").textContent = e.message; };
  if (location.hash === "#exercises") { openExercises().catch(show); return; }
  const m = /^#lesson-(\d+)$/.exec(location.hash);
  if (m) openLesson(Number(m[1])).catch(show);
}

async function main() {
  T = await api("/api/texts");
  document.title = T.title;
  document.getElementById("app-title").textContent = T.title;
  document.getElementById("nav-title").textContent = T.lessons;
  document.getElementById("cluster-title").textContent = T.cluster;
  document.getElementById("cluster-panel").textContent = T.waiting;
  const stop = document.getElementById("stop");
  stop.textContent = "■ " + T.stop;
  stop.addEventListener("click", () => api("/api/stop", {}).catch(() => {}));
  const toggle = document.getElementById("menu-toggle");
  toggle.setAttribute("aria-label", T.lessons);
  toggle.addEventListener("click", () => {
    const nav = document.getElementById("lesson-nav");
    toggle.setAttribute("aria-expanded", String(nav.classList.toggle("open")));
  });
  window.addEventListener("hashchange", route);
  connect();
  const list = await loadList();
  if (!location.hash) {
    const next = list.find(l => !l.done && !l.unmet) || list[0];
    location.replace("#lesson-" + next.number);
  }
  route();
}

main().catch(e => { document.getElementById("lesson").textContent = e.message; });
