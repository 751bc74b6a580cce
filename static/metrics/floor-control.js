// The phone controls of the wall board: listen, whisper and barge into an agent's call, pause
// and unpause, log out, and move one agent or a chosen group between queues. Every control goes
// through the API (permission-checked, audited); the board then shows what the phone system
// reports. Cards come from floor.js and are redrawn on every change, so this script adds its
// parts to each new set of cards, and keeps its own state (the chosen agents) here.
// DOM by createElement/textContent only; strings through gettext (with a fallback).

const gettext = window.gettext || ((s) => s);
const ngettext = window.ngettext || ((one, many, n) => (n === 1 ? one : many));
const interpolate = window.interpolate || ((format, values) =>
  format.replace(/%\((\w+)\)s/g, (_, name) => String(values[name])));
const fmt = (text, values) => interpolate(text, values, true);
const config = JSON.parse(document.getElementById("floor-config").textContent);
const control = config.control || {};
const csrf = document.querySelector("meta[name=csrf-token]")?.content || "";

const MONITORED = {
  listen: gettext("listened to by %(who)s"),
  whisper: gettext("coached by %(who)s"),
  barge: gettext("barged into by %(who)s"),
};
const MODE_LABEL = { listen: gettext("Listen"), whisper: gettext("Whisper"), barge: gettext("Barge") };
const MODE_TITLE = {
  listen: gettext("Your phone rings; you hear the call, nobody hears you"),
  whisper: gettext("Your phone rings; the agent hears you, the caller does not"),
  barge: gettext("Your phone rings; you join the call, both sides hear you"),
};
const STARTED = {
  listen: gettext("Calling your phone to listen to %(name)s…"),
  whisper: gettext("Calling your phone to coach %(name)s…"),
  barge: gettext("Calling your phone to barge into %(name)s's call…"),
};

function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false || child === "") continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(body || {}),
  });
  let data = null;
  try { data = await response.json(); } catch (e) { /* no body */ }
  if (!response.ok) throw new Error(data?.error?.message || String(response.status));
  return data;
}

const feed = () => window.callfloorFloor;
const rowOf = (key) => feed()?.state?.agents?.[key];
const actsOn = (row) => control.teams == null || control.teams.includes(row.team_id);
const onCall = (row) => ["on_call", "on_hold"].includes(row.activity);
const chosen = new Set();

// --- the bar over the agents: what happened, the chosen agents, the pause reason --------------

const status = h("p", { id: "control-status", class: "control-status", role: "status",
  "aria-live": "polite", dataset: { testid: "control-status" } });
const fromQueue = h("select", { name: "from_queue", dataset: { testid: "move-from" } },
  h("option", { value: "" }, gettext("(keep their queues)")),
  (config.queues || []).map((q) => h("option", { value: q.id }, q.name)));
const toQueue = h("select", { name: "to_queue", required: true, dataset: { testid: "move-to" } },
  (config.queues || []).map((q) => h("option", { value: q.id }, q.name)));
const penalty = h("input", { type: "number", name: "penalty", min: 0, max: 1000, value: 0,
  class: "penalty", dataset: { testid: "move-penalty" } });
const chosenCount = h("span", { dataset: { testid: "chosen-count" } });
const moveForm = h("form", { class: "move-form", dataset: { testid: "move-form" } },
  chosenCount, " ",
  h("label", null, gettext("from"), " ", fromQueue), " ",
  h("label", null, gettext("to"), " ", toQueue), " ",
  h("label", null, gettext("penalty"), " ", penalty), " ",
  h("button", { type: "submit", class: "small", dataset: { testid: "move-submit" } }, gettext("Move")), " ",
  h("button", { type: "button", class: "small secondary", dataset: { clearChosen: "1" } }, gettext("Clear")));
const reasons = h("datalist", { id: "pause-reasons" },
  (control.pause_reasons || []).map((r) => h("option", { value: r })));
const pauseReason = h("input", { name: "reason", maxlength: 80, required: true, list: "pause-reasons",
  dataset: { testid: "pause-reason" } });
const pauseWho = h("span");
const pauseForm = h("form", { class: "pause-form", hidden: true, dataset: { testid: "pause-form" } },
  pauseWho, " ", h("label", null, gettext("reason"), " ", pauseReason), " ",
  h("button", { type: "submit", class: "small", dataset: { testid: "pause-submit" } }, gettext("Pause")), " ",
  h("button", { type: "button", class: "small secondary", dataset: { cancelPause: "1" } }, gettext("Cancel")),
  reasons);
const noPhone = control.has_extension ? null : h("p", { class: "muted", dataset: { testid: "no-extension" } },
  gettext("To listen in, register your phone extension first."), " ",
  h("a", { href: control.profile_url, dataset: { testid: "profile-link" } }, gettext("My profile")));
const bar = h("div", { id: "control-bar", class: "control-bar", dataset: { testid: "control-bar" } },
  status, noPhone, pauseForm, moveForm);
document.getElementById("agents").before(bar);

function say(text, failed = false) {
  status.textContent = text;
  status.classList.toggle("failed", failed);
}

function showChosen() {
  chosenCount.textContent = fmt(gettext("%(count)s chosen"), { count: chosen.size });
  moveForm.hidden = chosen.size === 0;
}

// --- the cards --------------------------------------------------------------------------------

function queuesLine(row) {
  if (!row.queues) return null;
  return h("div", { class: "queues-line", dataset: { testid: "agent-queues" } },
    row.queues.length ? fmt(gettext("Queues: %(queues)s"), { queues: row.queues.join(", ") })
      : gettext("In no queue"));
}

function monitorLines(row) {
  return (row.monitors || []).map((m) => h("div", { class: "monitor", dataset: { testid: "agent-monitor", mode: m.mode } },
    fmt(MONITORED[m.mode] || "%(who)s", { who: m.by }),
    // Yours: hang it up here (the buttons below switch it to another mode).
    m.user === control.user ? [" ", h("button", { type: "button", class: "small secondary",
      dataset: { stopMonitor: m.id, testid: "stop-monitor" } }, gettext("Hang up"))] : null));
}

function controls(row) {
  const buttons = [];
  if (onCall(row) && control.has_extension) {
    for (const mode of control.modes || []) {
      buttons.push(h("button", { type: "button", class: "small secondary", title: MODE_TITLE[mode],
        dataset: { monitor: mode, agent: row.agent_id, testid: `control-${mode}` } }, MODE_LABEL[mode]));
    }
  }
  if (row.status === "not_ready") {
    buttons.push(h("button", { type: "button", class: "small secondary",
      dataset: { unpause: row.agent_id, testid: "control-unpause" } }, gettext("Unpause")));
  } else {
    buttons.push(h("button", { type: "button", class: "small secondary",
      dataset: { pause: row.agent_id, name: row.name, testid: "control-pause" } }, gettext("Pause")));
  }
  buttons.push(h("button", { type: "button", class: "small secondary",
    dataset: { logOut: row.agent_id, name: row.name, testid: "control-log-out" } }, gettext("Log out")));
  return h("div", { class: "controls", dataset: { testid: "agent-controls" } }, buttons);
}

function decorate() {
  if (!feed()?.state) return;
  for (const card of document.querySelectorAll("#agents .agent[data-key]")) {
    if (card.dataset.controlled) continue;
    card.dataset.controlled = "1";
    const row = rowOf(card.dataset.key);
    if (!row || !row.agent_id) continue;
    card.append(...[queuesLine(row), ...monitorLines(row)].filter(Boolean));
    if (row.takeover && row.takeover.id && actsOn(row)) {
      card.querySelector(".takeover")?.after(" ", h("button", { type: "button", class: "small secondary",
        dataset: { finishTakeover: row.takeover.id, testid: "finish-takeover" } }, gettext("Finish")));
    }
    // A source that only reports (queue_log, JSON events) takes no commands: no controls.
    if (!row.control || !actsOn(row)) continue;
    const box = h("input", { type: "checkbox", value: row.agent_id, dataset: { choose: row.agent_id, testid: "agent-choose" },
      "aria-label": fmt(gettext("Choose %(name)s"), { name: row.name }) });
    box.checked = chosen.has(row.agent_id);
    card.querySelector(".name")?.prepend(box);
    card.append(controls(row));
  }
}

new MutationObserver(decorate).observe(document.getElementById("agents"), { childList: true });
decorate();
showChosen();

// --- acting -----------------------------------------------------------------------------------

async function act(button, url, body, done) {
  button.disabled = true;  // one click, one request: nothing is sent twice
  try {
    const data = await post(url, body);
    const said = done(data);
    if (Array.isArray(said)) say(...said); else say(said);
  } catch (error) {
    say(error.message, true);
  } finally {
    button.disabled = false;
  }
}

document.addEventListener("click", (event) => {
  const el = event.target.closest("button");
  if (!el || !bar.isConnected) return;
  const d = el.dataset;
  if (d.monitor) {
    const name = rowOf(`a${d.agent}`)?.name || "";
    act(el, `/api/floor/agents/${d.agent}/monitor/`, { mode: d.monitor }, () => fmt(STARTED[d.monitor], { name }));
  } else if (d.stopMonitor) {
    act(el, `/api/floor/monitorings/${d.stopMonitor}/stop/`, {}, () => gettext("Hung up."));
  } else if (d.finishTakeover) {
    act(el, `/api/floor/takeovers/${d.finishTakeover}/finish/`, {}, () => gettext("Takeover finished."));
  } else if (d.unpause) {
    act(el, `/api/floor/agents/${d.unpause}/unpause/`, {}, () => gettext("Unpause sent."));
  } else if (d.pause) {
    pauseForm.dataset.agent = d.pause;
    pauseWho.textContent = fmt(gettext("Pause %(name)s:"), { name: d.name });
    pauseForm.hidden = false;
    pauseReason.focus();
  } else if (d.cancelPause) {
    pauseForm.hidden = true;
  } else if (d.logOut) {
    // eslint-disable-next-line no-alert
    if (!window.confirm(fmt(gettext("Take %(name)s out of all their queues?"), { name: d.name }))) return;
    act(el, `/api/floor/agents/${d.logOut}/log-out/`, {}, (data) => fmt(gettext("Logged out of %(queues)s."),
      { queues: data.queues.join(", ") }));
  } else if (d.clearChosen) {
    chosen.clear();
    for (const box of document.querySelectorAll("input[data-choose]")) box.checked = false;
    showChosen();
  }
});

document.addEventListener("change", (event) => {
  const box = event.target.closest("input[data-choose]");
  if (!box) return;
  const id = Number(box.dataset.choose);
  if (box.checked) chosen.add(id); else chosen.delete(id);
  showChosen();
});

pauseForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const agent = pauseForm.dataset.agent;
  act(pauseForm.querySelector("button[type=submit]"), `/api/floor/agents/${agent}/pause/`,
    { reason: pauseReason.value }, () => {
      pauseForm.hidden = true;
      pauseReason.value = "";
      return gettext("Pause sent.");
    });
});

moveForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const names = (id) => rowOf(`a${id}`)?.name || String(id);
  act(moveForm.querySelector("button[type=submit]"), "/api/floor/agents/move/", {
    agents: [...chosen], to_queue: Number(toQueue.value), from_queue: fromQueue.value ? Number(fromQueue.value) : null,
    penalty: Number(penalty.value || 0),
  }, (data) => {
    const failed = data.results.filter((r) => !r.ok);
    chosen.clear();
    showChosen();
    const count = data.results.length;
    if (!failed.length) return fmt(ngettext("Moved %(count)s agent.", "Moved %(count)s agents.", count), { count });
    const text = failed.map((r) => `${names(r.agent)}: ${r.message}`).join(" · ");
    return [fmt(gettext("Not moved: %(failures)s"), { failures: text }), true];
  });
});
