// The board's emergency panel: started plans with their checklists, and the drills to come.
// It draws from the board's own state (floor.js sends "floor:state" after each snapshot or
// delta), so every board of the site shows each tick as soon as it is pushed. Data only ever
// goes into text nodes and attributes (never through an HTML parser).

const config = JSON.parse(document.getElementById("floor-config").textContent);
const csrf = document.querySelector("meta[name=csrf-token]")?.content || "";
const gettext = window.gettext || ((s) => s);
const interpolate = window.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (m, k) => String(obj[k])));
const LANG = document.documentElement.lang || "en";
const TIME = new Intl.DateTimeFormat(LANG, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const WHEN = new Intl.DateTimeFormat(LANG, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const clock = (epochS) => TIME.format(new Date(epochS * 1000));
const canAct = !config.tv;
// Only the product's own pages are linked.
const ownPath = (path) => typeof path === "string" && /^\/(?![/\\])/.test(path);

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
  if (!response.ok) {
    let message = `${response.status}`;
    try { message = (await response.json()).error.message; } catch (e) { /* keep the status */ }
    throw new Error(message);
  }
  return response.json();
}

const flash = (error) => alert(error.message);  // eslint-disable-line no-alert
const api = (id, rest = "") => `/api/floor/emergency/activations/${Number(id)}/${rest}`;

// --- the live activations: one card each, kept while it runs (what is typed in it stays) ------

const cards = new Map();

// A move between queues comes as its parts, worded here in the board's language.
function stepText(step) {
  if (!step.move) return step.text;
  const values = { agent: step.agent, queue: step.queue };
  const move = step.move === "add"
    ? interpolate(gettext("Add %(agent)s to the queue %(queue)s"), values, true)
    : interpolate(gettext("Take %(agent)s off the queue %(queue)s"), values, true);
  return step.text ? `${step.text} — ${move}` : move;
}

function stepItem(entry, step) {
  const done = step.done_at !== null;
  const who = done ? interpolate(gettext("%(name)s at %(time)s"), { name: step.done_by, time: clock(step.done_at) }, true) : "";
  const mark = canAct && config.can_tick_steps
    ? h("button", {
      type: "button", class: "tick-step", "aria-pressed": String(done),
      title: done ? gettext("Take the tick back") : gettext("Tick this step"),
      dataset: { step: String(step.id), activation: String(entry.id), done: done ? "1" : "" },
    }, done ? "✓" : "")
    : h("span", { class: "tick-step", "aria-hidden": "true" }, done ? "✓" : "");
  return h("li", { class: done ? "done" : null, dataset: { testid: "emergency-step", position: String(step.position) } },
    mark, " ", h("span", { class: "step-text" }, stepText(step)), " ",
    h("span", { class: "step-who muted", dataset: { testid: "step-who" } }, who));
}

function newCard(entry) {
  const card = h("article", { class: "emergency-card", dataset: { testid: "emergency-card", key: entry.key } });
  card.head = h("header", { class: "emergency-head" });
  card.list = h("ol", { class: "emergency-steps" });
  card.append(card.head, card.list);
  if (canAct && config.can_tick_steps) {
    const note = h("form", { class: "emergency-note", dataset: { testid: "emergency-note" } },
      h("input", { name: "text", maxlength: "2000", placeholder: gettext("Note for the timeline"), "aria-label": gettext("Note for the timeline") }),
      h("button", { type: "submit", class: "small secondary" }, gettext("Add note")));
    note.addEventListener("submit", (event) => {
      event.preventDefault();
      post(api(entry.id, "notes/"), { text: note.text.value }).then(() => note.reset()).catch(flash);
    });
    card.append(note);
  }
  if (canAct && config.can_start_plans) {
    const close = h("form", { class: "emergency-close", hidden: true, dataset: { testid: "emergency-close-form" } },
      h("label", null, gettext("After-action note"), " ",
        h("textarea", { name: "note", rows: "2", required: true, placeholder: gettext("What happened, what worked, what to change") })),
      h("button", { type: "submit", class: "small danger", dataset: { testid: "emergency-close-confirm" } }, gettext("Close the plan")));
    close.addEventListener("submit", (event) => {
      event.preventDefault();
      post(api(entry.id, "close/"), { note: close.note.value }).catch(flash);
    });
    const open = h("button", { type: "button", class: "small secondary", dataset: { testid: "emergency-close" } }, gettext("Close…"));
    open.addEventListener("click", () => { close.hidden = false; close.note.focus(); open.hidden = true; });
    card.append(open, close);
  }
  return card;
}

function fillCard(card, entry) {
  const done = entry.steps.filter((s) => s.done_at !== null).length;
  const tag = entry.drill ? gettext("DRILL") : gettext("EMERGENCY PLAN");
  card.classList.toggle("drill", entry.drill);
  card.head.replaceChildren(
    h("strong", { class: "emergency-tag", dataset: { testid: "emergency-tag" } }, tag), " ",
    h("span", { class: "emergency-title", dataset: { testid: "emergency-title" } }, entry.title), " ",
    h("span", { class: "muted" },
      interpolate(gettext("started by %(name)s at %(time)s"), { name: entry.started_by, time: clock(entry.started_at) }, true),
      " · ", interpolate(gettext("%(done)s of %(total)s steps done"), { done, total: entry.steps.length }, true)),
    ...(canAct ? [h("a", { href: ownPath(entry.link) ? entry.link : "#", class: "small" }, gettext("Timeline"))] : []));
  card.list.replaceChildren(...entry.steps.map((step) => stepItem(entry, step)));
}

function upcomingItem(entry) {
  const start = canAct && config.can_start_plans
    ? h("button", { type: "button", class: "small secondary", dataset: { startDrill: String(entry.id), testid: "start-drill" } }, gettext("Start the drill now"))
    : null;
  return h("li", { dataset: { testid: "upcoming-drill" } },
    h("strong", null, gettext("Upcoming drill")), ": ", entry.title, " · ",
    WHEN.format(new Date(entry.scheduled_for * 1000)), " ", start);
}

let drawn = null;

function render(state) {
  const entries = Object.values(state.emergencies || {});
  const signature = JSON.stringify(entries);
  if (signature === drawn) return;  // heartbeats change nothing here
  drawn = signature;
  const panel = document.getElementById("emergencies");
  if (!panel) return;
  const live = entries.filter((e) => e.status === "live").sort((a, b) => a.started_at - b.started_at);
  const upcoming = entries.filter((e) => e.status === "scheduled").sort((a, b) => a.scheduled_for - b.scheduled_for);
  for (const [key, card] of cards) {
    if (!live.some((e) => e.key === key)) { card.remove(); cards.delete(key); }
  }
  let list = panel.querySelector(".upcoming-drills");
  for (const entry of live) {
    let card = cards.get(entry.key);
    if (!card) { card = newCard(entry); cards.set(entry.key, card); }
    fillCard(card, entry);
    if (list) list.before(card); else panel.append(card);
  }
  if (upcoming.length) {
    if (!list) { list = h("ul", { class: "upcoming-drills" }); panel.append(list); }
    list.replaceChildren(...upcoming.map(upcomingItem));
  } else if (list) {
    list.remove();
  }
  panel.hidden = !entries.length;
  document.body.classList.toggle("emergency-live", live.some((e) => !e.drill));
}

document.addEventListener("floor:state", (event) => render(event.detail.state));

document.addEventListener("click", (event) => {
  const el = event.target.closest("button");
  if (!el || !el.closest("#emergencies")) return;
  if (el.dataset.step) {
    post(api(el.dataset.activation, `steps/${Number(el.dataset.step)}/`), { done: !el.dataset.done }).catch(flash);
  } else if (el.dataset.startDrill) {
    if (window.confirm(gettext("Start this drill now? The floor receives its broadcast."))) {  // eslint-disable-line no-alert
      post(api(el.dataset.startDrill, "start/")).catch(flash);
    }
  }
});

// --- starting a plan: a dialog that shows what the floor will receive, then a confirmation ------

const dialog = document.getElementById("emergency-dialog");
if (dialog) {
  const form = document.getElementById("emergency-form");
  const message = document.getElementById("emergency-message");
  const error = document.getElementById("emergency-error");
  const plans = new Map(config.emergency_plans.map((p) => [String(p.id), p]));
  const show = () => { message.textContent = plans.get(form.plan.value)?.broadcast_text || ""; };
  form.plan.addEventListener("change", show);
  document.getElementById("emergency-open").addEventListener("click", () => {
    error.hidden = true;
    show();
    dialog.showModal();
  });
  document.getElementById("emergency-confirm").addEventListener("click", () => {
    post(`/api/floor/emergency/plans/${Number(form.plan.value)}/start/`, { drill: form.drill.checked })
      .then(() => { dialog.close(); form.drill.checked = false; })
      .catch((e) => { error.textContent = e.message; error.hidden = false; });
  });
}
