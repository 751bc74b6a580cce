// The board's settings panel: per queue service level and wait alerts, and the site's alert
// thresholds. Every change goes through the API (validated, audited, pushed to every board);
// this page then sees it come back in the feed like any other board.
// DOM by createElement/textContent only; strings through gettext (with a fallback).

const gettext = window.gettext || ((s) => s);
const interpolate = window.interpolate || ((format, values) =>
  format.replace(/%\((\w+)\)s/g, (_, name) => String(values[name])));
const config = JSON.parse(document.getElementById("floor-config").textContent);
const csrf = document.querySelector("meta[name=csrf-token]")?.content || "";
const API = config.settings_api;

function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

async function call(method, url, body) {
  const response = await fetch(url, {
    method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch (e) { /* no body */ }
  if (!response.ok) {
    const error = new Error(data?.error?.message || String(response.status));
    error.fields = data?.error?.fields || {};
    throw error;
  }
  return data;
}

// One labelled input; `scale` turns a share (0.8) into the percent shown (80).
function numberField(name, label, value, { scale = 1, min = 0, max = 86400 } = {}) {
  const input = h("input", { type: "number", name, min, max, step: 1, required: true,
    value: value === null || value === undefined ? "" : Math.round(value * scale) });
  input.dataset.scale = String(scale);
  return h("label", { class: "setting" }, label, " ", input,
    h("span", { class: "setting-error", dataset: { testid: "settings-error", field: name } }));
}

function readForm(form) {
  const values = {};
  for (const input of form.querySelectorAll("input[type=number]")) {
    if (input.value === "") continue;
    values[input.name] = Number(input.value) / Number(input.dataset.scale || 1);
  }
  for (const select of form.querySelectorAll("select")) values[select.name] = select.value;
  for (const box of form.querySelectorAll("input[type=checkbox]")) values[box.name] = box.checked;
  return values;
}

function showResult(form, promise) {
  const status = form.querySelector(".setting-status");
  for (const el of form.querySelectorAll(".setting-error")) el.textContent = "";
  status.textContent = gettext("Saving…");
  return promise.then(() => { status.textContent = gettext("Saved: every board shows it now."); })
    .catch((error) => {
      status.textContent = error.message;
      for (const [field, reasons] of Object.entries(error.fields || {})) {
        const root = field.split(".")[0];
        const slot = form.querySelector(`.setting-error[data-field="${CSS.escape(root)}"]`);
        if (slot) slot.textContent = reasons.join(" ");
      }
    });
}

function queueForm(queue, variants) {
  const select = h("select", { name: "sl_variant" },
    variants.map((v) => h("option", { value: v.value, selected: v.value === queue.sl_variant }, v.label)));
  const form = h("form", { class: "queue-settings", dataset: { testid: "queue-settings", queue: queue.name } },
    h("h3", null, queue.name),
    h("label", { class: "setting" }, gettext("Service-level definition"), " ", select,
      h("span", { class: "setting-error", dataset: { testid: "settings-error", field: "sl_variant" } })),
    numberField("sl_target", gettext("Target (%)"), queue.sl_target, { scale: 100, min: 1, max: 99 }),
    numberField("sl_red", gettext("Red below (%)"), queue.sl_red, { scale: 100, min: 1, max: 99 }),
    numberField("sl_threshold_s", gettext("Answered within (s)"), queue.sl_threshold_s, { min: 1 }),
    numberField("short_abandon_s", gettext("Short abandon (s)"), queue.short_abandon_s),
    numberField("wait_amber_s", gettext("Longest wait: amber after (s)"), queue.wait_amber_s),
    numberField("wait_red_s", gettext("Longest wait: red after (s)"), queue.wait_red_s),
    h("button", { type: "submit" }, gettext("Save")),
    h("span", { class: "setting-status", dataset: { testid: "settings-status" }, role: "status" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    showResult(form, call("PATCH", `${API}queues/${queue.id}/`, readForm(form)));
  });
  return form;
}

function siteForm(thresholds) {
  const allowances = Object.entries(thresholds.break_allowances || {}).map(([reason, seconds]) =>
    numberField(`allowance:${reason}`, interpolate(gettext("Break overrun: %(reason)s (s)"),
      { reason: reason === "*" ? gettext("any other reason") : reason }, true), seconds, { min: 1 }));
  const box = h("input", { type: "checkbox", name: "team_leads_edit_queues",
    checked: thresholds.team_leads_edit_queues });
  const form = h("form", { class: "site-settings", dataset: { testid: "site-settings" } },
    h("h3", null, gettext("Alert thresholds of the floor")),
    numberField("long_call_s", gettext("Long call (s)"), thresholds.long_call_s, { min: 1 }),
    numberField("long_wrap_up_s", gettext("Long wrap-up (s)"), thresholds.long_wrap_up_s, { min: 1 }),
    allowances,
    h("span", { class: "setting-error", dataset: { testid: "settings-error", field: "break_allowances" } }),
    h("label", { class: "setting" }, box, " ", gettext("Team leads may change their teams' queues")),
    h("button", { type: "submit" }, gettext("Save")),
    h("span", { class: "setting-status", dataset: { testid: "settings-status" }, role: "status" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = readForm(form);
    const body = { break_allowances: {} };
    for (const [name, value] of Object.entries(values)) {
      if (name.startsWith("allowance:")) body.break_allowances[name.slice(10)] = value;
      else body[name] = value;
    }
    showResult(form, call("PATCH", `${API}site/`, body));
  });
  return form;
}

async function openPanel(panel) {
  panel.replaceChildren(h("p", { class: "muted" }, gettext("Loading…")));
  try {
    const data = await call("GET", API);
    const queues = data.queues.filter((q) => q.editable);
    panel.replaceChildren(...[
      h("h2", null, gettext("Board settings")),
      data.can_edit_site ? siteForm(data.thresholds) : null,
      ...(queues.length ? queues.map((q) => queueForm(q, data.sl_variants))
        : [h("p", { class: "muted" }, gettext("No queue you may change."))]),
    ].filter(Boolean));
  } catch (error) {
    panel.replaceChildren(h("p", { class: "error" }, error.message));
  }
}

const controls = document.querySelector(".board-controls");
if (API && controls && config.can_edit_settings) {
  document.head.append(h("link", { rel: "stylesheet", href: new URL("board-settings.css", import.meta.url).href }));
  const panel = h("section", { id: "board-settings", class: "board-settings", hidden: true,
    dataset: { testid: "board-settings" }, "aria-label": gettext("Board settings") });
  const toggle = h("button", { type: "button", class: "secondary", "aria-expanded": "false",
    "aria-controls": "board-settings", dataset: { testid: "settings-toggle" } }, gettext("Settings"));
  toggle.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) openPanel(panel);
  });
  controls.append(toggle);
  controls.after(panel);
}
