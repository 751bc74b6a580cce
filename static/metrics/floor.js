// The live wall board and the agent's floor strip: a snapshot, then deltas in sequence.
// Times arrive as epoch seconds and tick here; the server pushes only changes and a heartbeat.

const config = JSON.parse(document.getElementById("floor-config").textContent);
const csrf = document.querySelector("meta[name=csrf-token]")?.content || "";
const SECTIONS = ["summary", "queues", "agents", "alerts", "broadcasts", "help", "emergencies"];

// Translations come from Django's JavaScript catalogue when the page loads it.
const gettext = window.gettext || ((s) => s);
const ngettext = window.ngettext || ((one, many, n) => (n === 1 ? one : many));
const interpolate = window.interpolate || ((fmt, obj, named) => (named
  ? fmt.replace(/%\(\w+\)s/g, (m) => String(obj[m.slice(2, -2)]))
  : fmt.replace(/%s/g, () => String(obj.shift()))));

// The board's words come from Django's JavaScript catalogue (/jsi18n/, loaded before this module)
// in the page's language; numbers, percentages and times follow <html lang> through Intl.
const pgettext = globalThis.pgettext || ((context, text) => text);
const fmt = (text, values) => interpolate(text, values, true);
const LANG = document.documentElement.lang || "en";
const NUMBER = new Intl.NumberFormat(LANG);
const PERCENT = new Intl.NumberFormat(LANG, { style: "percent", maximumFractionDigits: 0 });
const PERCENT_TENTHS = new Intl.NumberFormat(LANG, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const TIME = new Intl.DateTimeFormat(LANG, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
// What the feed's states read as (the data-status attribute keeps the code).
const FEED_STATUS = { connecting: gettext("connecting…"), live: gettext("live"), reconnecting: gettext("reconnecting…") };

// --- the feed --------------------------------------------------------------------------------

export class FloorFeed {
  constructor({ url, heartbeatS, onChange, onStatus }) {
    this.url = url;
    this.heartbeatMs = heartbeatS * 1000;
    this.onChange = onChange;
    this.onStatus = onStatus;
    this.state = null;
    this.seq = null;
    this.offsetMs = 0;           // server clock − browser clock
    this.lastMessageAt = null;   // browser time of the last message
    this.attempt = 0;
    this.blockedUntil = 0;
    this.socket = null;
    setInterval(() => this.checkStale(), 500);
  }

  now() { return (Date.now() + this.offsetMs) / 1000; }

  connect() {
    const wait = this.blockedUntil - Date.now();
    if (wait > 0) { setTimeout(() => this.connect(), wait); return; }
    const socket = new WebSocket(this.url);
    this.socket = socket;
    this.onStatus("connecting");
    socket.onopen = () => { this.attempt = 0; this.onStatus("live"); };
    socket.onmessage = (event) => this.receive(JSON.parse(event.data));
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.seq = null;  // resync after reconnecting: the snapshot comes with the new socket
      const delay = Math.min(15000, 500 * 2 ** this.attempt) * (0.8 + Math.random() * 0.4);
      this.attempt += 1;
      this.onStatus("reconnecting");
      setTimeout(() => this.connect(), delay);
    };
  }

  // Close the socket and keep it closed for `ms` (what a network drop looks like).
  drop(ms = 0) {
    this.blockedUntil = Date.now() + ms;
    if (this.socket) this.socket.close();
  }

  receive(message) {
    this.lastMessageAt = Date.now();
    if (typeof message.now === "number") this.offsetMs = message.now * 1000 - Date.now();
    if (message.type === "snapshot") {
      this.state = message.snapshot;
      this.seq = message.seq;
    } else if (message.type === "delta") {
      if (this.seq === null || message.seq <= this.seq) return;  // before our snapshot
      if (message.seq !== this.seq + 1) {
        this.seq = null;
        this.socket?.send(JSON.stringify({ type: "resync" }));
        return;
      }
      this.state = applyDelta(this.state, message.delta);
      this.seq = message.seq;
    }
    this.checkStale();
    this.onChange(this.state);
    // Other board modules (static/metrics/emergency.js) draw their part from the same state.
    document.dispatchEvent(new CustomEvent("floor:state", { detail: { state: this.state, feed: this } }));
  }

  checkStale() {
    const stale = this.lastMessageAt === null
      ? false : Date.now() - this.lastMessageAt > 2 * this.heartbeatMs;
    const banner = document.getElementById("stale");
    if (!banner) return;
    if (stale) {
      banner.textContent = fmt(gettext("Data is stale since %(time)s: reconnecting…"),
        { time: clock(this.lastMessageAt / 1000) });
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
  }
}

export function applyDelta(snapshot, delta) {
  const result = {};
  for (const section of SECTIONS) result[section] = { ...(snapshot?.[section] || {}) };
  for (const [section, keys] of Object.entries(delta.remove || {})) {
    for (const key of keys) delete result[section]?.[key];
  }
  for (const [section, entries] of Object.entries(delta.set || {})) {
    result[section] = { ...(result[section] || {}), ...entries };
  }
  // An entry that kept its fields comes as a patch of the fields that changed.
  for (const [section, entries] of Object.entries(delta.patch || {})) {
    result[section] = result[section] || {};
    for (const [key, fields] of Object.entries(entries)) {
      result[section][key] = { ...(result[section][key] || {}), ...fields };
    }
  }
  return result;
}

// --- formatting -------------------------------------------------------------------------------

function clock(epochS) {
  return TIME.format(new Date(epochS * 1000));
}

function duration(seconds) {
  seconds = Math.max(0, Math.floor(seconds));
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  const mm = String(m).padStart(2, "0"), ss = String(s).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${m}:${ss}`;
}

const pct = (v) => (v === null || v === undefined ? "–" : PERCENT.format(Math.round(v * 100) / 100));
const secs = (v) => (v === null || v === undefined ? "–" : fmt(gettext("%(seconds)s s"), { seconds: NUMBER.format(Math.round(v)) }));
// A service level under its target never reads as the target: 79.6 % against 80 % shows
// "79.6 %" (cut, not rounded, to a tenth), not "80 %".
const pctUnder = (v, target) => (v === null || v === undefined || target === null || target === undefined
  || v >= target || Math.round(v * 100) < Math.round(target * 100)
  ? pct(v) : PERCENT_TENTHS.format(Math.floor(v * 1000) / 1000));
const count = (v) => (v === null || v === undefined ? "–" : NUMBER.format(v));
const VARIANTS = { offered: gettext("SL (offered)"), ignore_abandons: gettext("SL (ignore abandons)"),
  abandons_positive: gettext("SL (abandons met)"), answered_only: gettext("SL (answered only)") };
// The service-level definition in the words of an alert (as the server writes it).
const VARIANT_WORDS = { offered: gettext("of all calls offered"),
  ignore_abandons: gettext("short abandons left out"),
  abandons_positive: gettext("short abandons counted as met"),
  answered_only: gettext("of answered calls only") };
const ACTIVITY = { idle: gettext("Idle"), ringing: gettext("Ringing"), on_call: gettext("On call"),
  on_hold: gettext("On hold"), wrap_up: gettext("Wrap-up") };
const STATUS = { available: gettext("Available"), not_ready: gettext("Not ready"), logged_out: gettext("Logged out") };
const HELP_REASONS = { difficult_customer: gettext("Difficult customer"), escalation: gettext("Escalation"),
  technical: gettext("Technical problem"), other: gettext("Other") };
// What the schedule has an agent doing (scheduling's ActivityKind, in the server's words).
const SCHEDULED = { on_queue: gettext("On queue"), break: gettext("Break"), lunch: gettext("Lunch"),
  meeting: gettext("Meeting"), training: gettext("Training"), coaching: gettext("Coaching") };

// An agent's state in an adherence alert, as the server words it: logged out; else the
// activity; else the status with the not-ready reason the telephony sent.
function stateWords(p) {
  if (!p.status || p.status === "logged_out") return STATUS.logged_out;
  if (p.activity && p.activity !== "idle") return ACTIVITY[p.activity] || p.activity;
  const label = STATUS[p.status] || p.status;
  return p.reason ? `${label} · ${p.reason}` : label;
}

// Whole minutes as a complaint's timer reads them (static/js/complaint-timers.js).
function minutesWords(total) {
  const days = Math.floor(total / 1440), hours = Math.floor((total % 1440) / 60), minutes = total % 60;
  if (days) return fmt(gettext("%(days)s d %(hours)s h"), { days, hours });
  if (hours) return fmt(gettext("%(hours)s h %(minutes)s m"), { hours, minutes: String(minutes).padStart(2, "0") });
  return fmt(gettext("%(minutes)s m"), { minutes });
}

// An alert reads in the board's language: the server sends its kind and figures (its English
// text stays for anything that does not know the kind).
function alertText(alert) {
  const p = alert.params;
  if (!p) return alert.text;
  switch (alert.kind) {
    case "queue_sl":
      return fmt(gettext("%(queue)s: service level %(level)s under the %(target)s target (%(variant)s)"),
        { ...p, level: pctUnder(p.level, p.target), target: pct(p.target), variant: VARIANT_WORDS[p.variant] || p.variant });
    case "queue_wait":
      return fmt(gettext("%(queue)s: a caller waits for over %(seconds)s s"), p);
    case "long_call":
      return fmt(gettext("%(name)s on a call for over %(minutes)s min"), p);
    case "long_wrap_up":
      return fmt(gettext("%(name)s in wrap-up for over %(seconds)s s"), p);
    case "break_overrun":
      return fmt(gettext("%(name)s: %(reason)s over its %(minutes)s min allowance"),
        { ...p, reason: p.reason || gettext("not ready") });
    case "help": {
      const text = fmt(gettext("%(name)s asks for help: %(reason)s"),
        { name: p.name, reason: HELP_REASONS[p.reason] || p.reason_label });
      return p.note ? `${text} — ${p.note}` : text;
    }
    case "ami_down":
      return fmt(gettext("Telephony source %(name)s: no connection to Asterisk; its figures are stale"), p);
    case "source_silent":
      return fmt(gettext("Telephony source %(name)s: no event for %(minutes)s min"),
        { name: p.name, minutes: NUMBER.format(p.minutes) });
    case "adherence":
      return fmt(gettext("%(name)s is out of adherence: scheduled %(activity)s, but %(state)s for over %(minutes)s min"),
        { name: p.name, activity: SCHEDULED[p.scheduled] || p.scheduled, state: stateWords(p),
          minutes: NUMBER.format(p.minutes) });
    case "handover_unacknowledged":
      return fmt(gettext("Handover %(shift)s to %(lead)s not acknowledged (due %(due)s)"), p);
    case "complaint_due":
      return fmt(p.overdue ? gettext("%(ref)s: escalation overdue by %(left)s (time to %(timer)s)")
        : gettext("%(ref)s: escalation due in %(left)s (time to %(timer)s)"),
      { ref: p.ref, left: minutesWords(p.minutes),
        timer: p.timer === "acknowledge" ? gettext("acknowledge") : gettext("resolve") });
    case "live_escalation":
      // A reason that only repeats the ask comes as "": the line says it once.
      if (!p.reason) {
        return fmt(p.queue ? gettext("%(who)s (%(queue)s): customer asks for a supervisor")
          : gettext("%(who)s: customer asks for a supervisor"), p);
      }
      return fmt(p.queue ? gettext("%(who)s (%(queue)s): customer asks for a supervisor — %(reason)s")
        : gettext("%(who)s: customer asks for a supervisor — %(reason)s"), p);
    default:
      return alert.text;
  }
}

// --- building the DOM ---------------------------------------------------------------------------
// Data never goes through an HTML parser: elements are created one by one, values go into text
// nodes, attributes and dataset entries (a pushed name full of markup shows as that text).

const SVG = "http://www.w3.org/2000/svg";

function fill(el, props, children) {
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "dataset") {
      for (const [key, item] of Object.entries(value)) {
        if (item !== null && item !== undefined) el.dataset[key] = String(item);
      }
    } else {
      el.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false || child === "") continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// h("div", { class: "agent", dataset: { key } }, "text", childElement, …)
const h = (tag, props, ...children) => fill(document.createElement(tag), props, children);
const svg = (tag, props, ...children) => fill(document.createElementNS(SVG, tag), props, children);

// Only the product's own pages and API paths are followed or posted to.
const ownPath = (path) => typeof path === "string" && /^\/(?![/\\])/.test(path);

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

// --- bands ------------------------------------------------------------------------------------

const worst = (...bands) => (bands.includes("red") ? "red" : bands.includes("amber") ? "amber" : "green");

function slBand(tile) {
  if (tile.service_level === null) return "green";
  if (tile.service_level < tile.sl_red) return "red";
  return tile.service_level < tile.sl_target ? "amber" : "green";
}

function waitBand(tile, now) {
  if (tile.longest_waiting_since === null) return "green";
  const waited = now - tile.longest_waiting_since;
  return waited > tile.wait_red_s ? "red" : waited > tile.wait_amber_s ? "amber" : "green";
}

function agentBand(row, now) {
  const elapsed = now - row.since;
  // The site's thresholds come with the feed (changed from the board's settings panel).
  const bands = window.callfloorFloor?.state?.summary?.thresholds?.bands || config.bands;
  let limits = bands[row.activity];
  if (row.activity === "idle" && row.status === "not_ready") {
    const allowance = bands.not_ready[row.reason] ?? bands.not_ready["*"] ?? 900;
    limits = [allowance * 0.8, allowance];
  }
  if (!Array.isArray(limits)) return "none";
  return elapsed > limits[1] ? "red" : elapsed > limits[0] ? "amber" : "green";
}

// --- the board --------------------------------------------------------------------------------

const num = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0);

function trendSvg(tile) {
  const points = (tile.trend || []).filter((p) => p[1] !== null).map((p) => [num(p[0]), num(p[1])]);
  // The line spans the tile's width whatever its shape: the drawing stretches, its strokes and
  // dots (zero-length round-capped lines) keep their width.
  const width = 160, height = 40, box = `0 0 ${width} ${height}`, stretch = "none";
  if (!points.length) {
    return svg("svg", { class: "trend", viewBox: box, preserveAspectRatio: stretch, "aria-label": gettext("no trend yet") });
  }
  const x0 = points[0][0], x1 = Math.max(points[points.length - 1][0], x0 + 1);
  const x = (t) => (points.length === 1 ? width / 2 : ((t - x0) / (x1 - x0)) * (width - 4) + 2);
  const y = (v) => height - 2 - v * (height - 4);
  const line = points.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" ");
  const target = y(num(tile.sl_target)).toFixed(1);
  const keep = "non-scaling-stroke";
  return svg("svg", { class: "trend", viewBox: box, preserveAspectRatio: stretch, role: "img",
    "aria-label": gettext("service level by interval today") },
  svg("line", { x1: 0, x2: width, y1: target, y2: target, class: "target", "vector-effect": keep }),
  svg("polyline", { points: line, class: "sl", "vector-effect": keep }),
  points.map((p) => {
    const [px, py] = [x(p[0]).toFixed(1), y(p[1]).toFixed(1)];
    return svg("line", { x1: px, x2: px, y1: py, y2: py, "vector-effect": keep,
      class: p[1] < tile.sl_target ? "dot miss" : "dot met" });
  }));
}

// The TV hangs over the floor: a waiting caller's number shows there by its last 4 digits only.
export function maskCaller(number) {
  const digits = String(number ?? "").replace(/\D/g, "");
  return digits.length > 4 ? `••• ${digits.slice(-4)}` : "••••";
}

function waitingCaller(call) {
  if (!call.caller) return call.call_id;
  // A wall display's feed comes masked by the server already.
  return config.tv && !config.display ? maskCaller(call.caller) : call.caller;
}

const tGettext = window.gettext || ((s) => s);
const kpi = (label, value, props) => h("div", null, h("dt", null, label), h("dd", props, value));

function queueTile(tile) {
  // On the TV every tile has the same lines (a figure not known shows "–"), so tiles are of
  // one height and the space left for the agents is the same on every page.
  const fixed = Boolean(config.tv);
  const waiting = tile.waiting_calls.slice(0, fixed ? 3 : 6).map((c) => h("li", { dataset: { testid: "waiting-caller" } },
    h("span", null, waitingCaller(c)), " ", h("span", { class: "tick", dataset: { since: c.since } })));
  const short = tile.required_now != null && tile.staffed < tile.required_now;
  const definition = fmt(gettext("%(definition)s · target %(target)s in %(seconds)s s"), {
    definition: VARIANTS[tile.sl_variant] || tile.sl_variant, target: pct(tile.sl_target),
    seconds: NUMBER.format(tile.threshold_s) });
  // Four lines of four figures: the calls, the rates, the service, the people.
  return h("article", { class: "tile", dataset: { testid: "queue-tile", queue: tile.name, key: tile.key } },
    h("header", null, h("h3", null, tile.name), h("span", { class: "sl-variant" }, definition)),
    // The source feeding this queue lost its connection: what the tile shows is not live.
    tile.stale_source ? h("p", { class: "stale", dataset: { testid: "queue-stale" } },
      fmt(gettext("Stale: %(source)s has no connection to the telephony"), { source: tile.stale_source })) : null,
    h("div", { class: "big" },
      h("div", null, h("b", { dataset: { testid: "waiting" } }, tile.waiting), h("small", null, gettext("waiting"))),
      h("div", null, h("b", { class: "tick", dataset: { testid: "longest-wait", since: tile.longest_waiting_since || null } }, "–"),
        h("small", null, gettext("longest"))),
      h("div", null, h("b", { dataset: { testid: "service-level" } }, pctUnder(tile.service_level, tile.sl_target)), h("small", null, gettext("service level")))),
    trendSvg(tile),
    h("dl", { class: "kpis" },
      kpi(pgettext("count", "Offered"), tile.offered, { dataset: { testid: "offered" } }),
      kpi(pgettext("count", "Answered"), tile.answered, { dataset: { testid: "answered" } }),
      kpi(pgettext("count", "Abandoned"), tile.abandoned, { dataset: { testid: "abandoned" } }),
      tile.unknown || fixed ? kpi(gettext("Unknown end"), count(tile.unknown || 0), { dataset: { testid: "unknown" },
        title: gettext("calls whose end the telephony never sent (counted as missed)") }) : null,
      kpi(gettext("Answer rate"), pct(tile.answer_rate)),
      kpi(gettext("Abandon rate"), pct(tile.abandon_rate)),
      kpi(gettext("Repeat calls"), pct(tile.repeat_call_rate), { dataset: { testid: "repeat-rate" },
        title: fmt(gettext("answered callers who called again within %(hours)s h (today so far)"),
          { hours: tile.repeat_window_h }) }),
      fixed && !tile.survey_n ? kpi(gettext("CSAT"), "–") : null,
      tile.survey_n ? kpi(gettext("CSAT"), pct(tile.csat_top_box), { dataset: { testid: "csat" },
        title: fmt(gettext("top-box share of %(answers)s answers; mean %(mean)s"),
          { answers: count(tile.survey_n), mean: tile.csat_mean }) }) : null,
      kpi(gettext("ASA"), secs(tile.asa_s)),
      kpi(gettext("AHT"), secs(tile.aht_s), { title: (tile.aht_components || []).join(" + ") }),
      kpi(gettext("Staffed"), tile.staffed, { dataset: { testid: "staffed" }, class: short ? "short" : null }),
      tile.required_now != null || fixed ? kpi(gettext("Required now"), tile.required_now ?? "–", { dataset: { testid: "required-now" } }) : null,
      kpi(gettext("Available"), tile.available),
      kpi(gettext("On call"), tile.on_call),
      kpi(gettext("Wrap-up"), tile.wrap_up),
      kpi(gettext("Not ready"), tile.not_ready)),
    waiting.length || fixed ? h("ol", { class: "waiting-list", dataset: { testid: "waiting-list" } }, waiting) : null);
}

// Buttons show only where the API lets this user act (a team lead acts on their own teams).
const actsOnTeam = (teamId) => config.act_teams == null || config.act_teams.includes(teamId);
const mayTakeOver = (row) => config.can_take_over && actsOnTeam(row.team_id);
const mayRunAction = (alert) => (alert.action_roles
  ? alert.action_roles.some((role) => (config.roles || []).includes(role))
  : config.can_act);

function stateText(row) {
  return row.activity === "idle"
    ? (STATUS[row.status] || row.status) + (row.reason ? ` · ${row.reason}` : "")
    : (ACTIVITY[row.activity] || row.activity) + (row.queue ? ` · ${row.queue}` : "");
}

// An agent whose help request is open: their card says so until someone takes it.
function openHelpOf(state) {
  const open = new Map();
  for (const request of Object.values(state.help || {})) {
    if ((request.status || "open") === "open") open.set(request.agent, request);
  }
  return open;
}

function agentCard(row, help) {
  const takeover = row.takeover ? h("span", { class: "takeover" }, fmt(gettext("taken over by %(who)s"), { who: row.takeover.by })) : null;
  const action = mayTakeOver(row) && !config.tv && row.agent_id && ["on_call", "on_hold"].includes(row.activity) && !row.takeover
    ? h("button", { class: "small secondary", dataset: { takeover: row.agent_id } }, gettext("Take over")) : null;
  const mark = help
    ? h("div", { class: "help-mark", dataset: { testid: "help-mark" } },
      interpolate(gettext("Asks for help: %(reason)s"), { reason: help.reason_label }, true))
    : null;
  const card = h("div", { class: "agent", dataset: { testid: "agent-row", agent: row.name, key: row.key, since: row.since } },
    h("div", { class: "name" }, h("span", { class: "who" }, row.name), h("small", null, row.team)),
    mark,
    h("div", { class: "state", dataset: { testid: "agent-state" } }, stateText(row)),
    h("div", { class: "time" }, h("span", { class: "tick", dataset: { since: row.since } })),
    h("div", { class: "counts" },
      h("span", { title: gettext("handled today") }, `✔ ${row.handled}`), " ",
      h("span", { title: gettext("missed rings today"), dataset: { testid: "missed" } }, `✖ ${row.missed_rings}`)),
    takeover, action);
  if (help) card.classList.add("needs-help");
  return card;
}

function alertItem(alert) {
  const ack = alert.ack
    ? h("span", { class: "ack", dataset: { testid: "alert-ack" } }, `✓ ${alert.ack.by} ${clock(alert.ack.at)}`)
    : (config.can_act && !config.tv ? h("button", { class: "small secondary", dataset: { ack: alert.key } }, pgettext("alert", "Acknowledge")) : null);
  const take = alert.kind === "help" && config.can_act && actsOnTeam(alert.team_id) && !config.tv
    ? h("button", { class: "small", dataset: { takeHelp: alert.help_id } }, gettext("Take")) : null;
  const takeOver = alert.action && ownPath(alert.action) && mayRunAction(alert) && !config.tv
    ? h("button", { class: "small", dataset: { action: alert.action } }, gettext("Take over")) : null;
  const open = alert.link && ownPath(alert.link) && !config.tv
    ? h("a", { class: "small", href: alert.link, dataset: { testid: "alert-link" } }, pgettext("link", "Open")) : null;
  const li = h("li", { class: "alert", title: alertText(alert), dataset: { testid: "alert", kind: alert.kind } },
    h("span", { class: "text" }, alertText(alert)),
    alert.since ? h("span", { class: "tick muted", dataset: { since: alert.since } }) : null,
    take, takeOver, open, ack);
  if (["red", "amber", "green"].includes(alert.severity)) li.classList.add(alert.severity);
  if (alert.ack) li.classList.add("acked");
  return li;
}

function broadcastItem(b) {
  const withdraw = config.can_broadcast && !config.tv
    ? h("button", { class: "small secondary", dataset: { withdraw: b.id } }, gettext("Withdraw")) : null;
  const el = h("div", { class: "broadcast", dataset: { testid: "broadcast" } },
    h("strong", null, `${b.priority === "urgent" ? `${gettext("URGENT")} · ` : ""}${b.by}:`), " ", b.text, " ",
    h("span", { class: "muted" }, clock(b.at), b.expires_at ? ` · ${fmt(gettext("until %(until)s"), { until: clock(b.expires_at) })}` : ""),
    withdraw);
  if (["urgent", "normal"].includes(b.priority)) el.classList.add(b.priority);
  return el;
}

const SEVERITY = { red: 0, amber: 1, green: 2 };
// TV pages turn every ROTATE_S seconds (`?rotate=<seconds>` sets it, for a test or a busy floor).
const ROTATE_MS = Math.max(1, Number(new URLSearchParams(location.search).get("rotate")) || 12) * 1000;
let tvPage = 0;
let tvMeasured = null;  // the cards that fitted under this page's tiles, before they were drawn

// What needs someone now: help requests and red alerts nobody acknowledged yet.
const isUrgent = (alert) => alert.kind === "help" || (alert.severity === "red" && !alert.ack);

function boardFilters() {
  return {
    team: document.getElementById("filter-team")?.value || config.team || "",
    queue: document.getElementById("filter-queue")?.value || config.queue || "",
  };
}

function visibleRows(state, { team, queue }, help) {
  let tiles = Object.values(state.queues).sort((a, b) => a.name.localeCompare(b.name));
  if (queue) tiles = tiles.filter((t) => String(t.id) === queue);
  // Agents waiting for help come first, then by name.
  let agents = Object.values(state.agents).sort((a, b) => (
    (help.has(a.key) ? 0 : 1) - (help.has(b.key) ? 0 : 1) || a.name.localeCompare(b.name)));
  if (team) agents = agents.filter((a) => String(a.team_id) === team);
  if (queue) agents = agents.filter((a) => !a.queue_id || String(a.queue_id) === queue);
  let alerts = Object.values(state.alerts).sort((a, b) => (
    (a.kind === "help" ? 0 : 1) - (b.kind === "help" ? 0 : 1)
    || (a.ack ? 1 : 0) - (b.ack ? 1 : 0) || SEVERITY[a.severity] - SEVERITY[b.severity]
    || (a.since || 0) - (b.since || 0)));
  if (team) alerts = alerts.filter((a) => !a.agent || String(a.team_id) === team);
  if (queue) alerts = alerts.filter((a) => !a.queue_id || String(a.queue_id) === queue);
  return { tiles, agents, alerts };
}

// The number of columns a grid lays out now (auto-fill keeps its empty tracks in the list).
function gridColumns(el) {
  return Math.max(1, getComputedStyle(el).gridTemplateColumns.split(" ").filter(Boolean).length);
}

const shown = (el) => Boolean(el) && el.getClientRects().length > 0;

// How many agent cards fit the agents' area of the screen, whole: rows × columns (all of them
// when a display's layout leaves the agents out).
function agentCapacity(grid) {
  if (!shown(grid)) return Infinity;
  const style = getComputedStyle(grid);
  const rowH = parseFloat(style.gridAutoRows) || 1;
  const gap = parseFloat(style.rowGap) || 0;
  const rows = Math.max(1, Math.floor((grid.clientHeight + gap) / (rowH + gap)));
  return rows * gridColumns(grid);
}

// The sizes a queues-only wall tries for its tiles, largest first (floor.css scales the type).
const QUEUE_SCALES = ["3", "2.5", "2", "1.75", "1.5", "1.25", "1"];

// A wall of queue tiles only (a display's "queues" layout): all the tiles at once, as large as
// the screen allows; when even the smallest do not fit, as many whole rows as fit per page.
function queueWallCapacity(queues, tiles, renderTiles) {
  renderTiles(tiles);
  for (const scale of QUEUE_SCALES) {
    queues.dataset.scale = scale;
    if (queues.scrollHeight <= queues.clientHeight + 1) return Math.max(tiles.length, 1);
  }
  const gap = parseFloat(getComputedStyle(queues).rowGap) || 0;
  const tallest = Math.max(1, ...[...queues.querySelectorAll(".tile")].map((el) => el.offsetHeight));
  const rows = Math.max(1, Math.floor((queues.clientHeight + gap) / (tallest + gap)));
  return rows * gridColumns(queues);
}

// TV: the urgent band is only so tall. It shows whole alerts, the most urgent first (the order
// they come in), and when the rest do not fit, a last line says how many more there are.
// Measured once the running times are filled in (they make an alert taller).
function fitUrgent(band) {
  if (band.hidden) return;
  const bottom = () => {
    const r = band.getBoundingClientRect();
    return r.top + band.clientTop + band.clientHeight + 0.5;
  };
  const whole = (el) => el.getBoundingClientRect().bottom <= bottom();
  const items = [...band.children];
  let visible = 0;
  while (visible < items.length && whole(items[visible])) visible += 1;
  if (visible === items.length) return;
  const more = h("li", { class: "alert more", dataset: { testid: "urgent-more" } });
  const hide = () => {
    for (const el of items.slice(visible)) el.remove();
    const count = items.length - visible;
    more.textContent = fmt(ngettext("+%(count)s more urgent alert", "+%(count)s more urgent alerts", count),
      { count: NUMBER.format(count) });
  };
  band.append(more);
  hide();
  while (visible > 0 && !whole(more)) { visible -= 1; hide(); }
}

// TV: one row of tiles and as many cards as fit, page after page; every agent and every
// queue shows within one turn of the pages. Tiles of one row stretch to the tallest; a page of
// taller tiles (a long queue name) leaves less room, so the cards per page are the fewest that
// fit under any page of tiles.
function tvPages(tiles, agents, renderTiles) {
  const queues = document.getElementById("queues");
  const grid = document.getElementById("agents");
  const wall = !shown(grid) && shown(queues);
  if (!wall) delete queues.dataset.scale;
  const tileCols = wall ? queueWallCapacity(queues, tiles, renderTiles)
    : shown(queues) ? gridColumns(queues) : Math.max(tiles.length, 1);
  const tilePages = Math.max(1, Math.ceil(tiles.length / tileCols));
  const tileSlice = (page) => tiles.slice((page % tilePages) * tileCols, (page % tilePages + 1) * tileCols);
  let perPage = Infinity;
  for (let p = 0; p < (shown(grid) ? tilePages : 1); p += 1) {
    renderTiles(tileSlice(p));
    perPage = Math.min(perPage, agentCapacity(grid));
  }
  const agentPages = Number.isFinite(perPage) ? Math.max(1, Math.ceil(agents.length / perPage)) : 1;
  const pages = Math.max(tilePages, agentPages);
  const page = tvPage % pages;
  renderTiles(tileSlice(page));
  const first = Number.isFinite(perPage) ? (page % agentPages) * perPage : 0;
  const indicator = document.getElementById("page-indicator");
  indicator.textContent = pages > 1 ? `${page + 1}/${pages}` : "";
  indicator.title = pages > 1 ? interpolate(gettext("page %(page)s of %(pages)s"), { page: page + 1, pages }, true) : "";
  tvMeasured = agentCapacity(grid);
  return agents.slice(first, first + perPage);
}

function renderBoard(state, feed, relayout = false) {
  const help = openHelpOf(state);
  let { tiles, agents, alerts } = visibleRows(state, boardFilters(), help);
  // The running times are filled in at once: the TV measures what is left for the cards, and an
  // empty time line would make an alert or a tile shorter than it is a moment later.
  const renderTiles = (list) => {
    document.getElementById("queues").replaceChildren(
      ...(list.length ? list.map(queueTile) : [h("p", { class: "muted" }, gettext(gettext("No queues yet.")))]));
    tick(feed);
  };
  renderBroadcasts(state);
  const urgent = alerts.filter(isUrgent);
  document.getElementById("urgent").replaceChildren(...urgent.map(alertItem));
  document.getElementById("urgent").hidden = !urgent.length;
  tick(feed);
  if (config.tv) fitUrgent(document.getElementById("urgent"));
  alerts = alerts.filter((a) => !isUrgent(a));
  if (config.tv) agents = tvPages(tiles, agents, renderTiles);
  else renderTiles(tiles);
  document.getElementById("agents").replaceChildren(
    ...(agents.length ? agents.map((row) => agentCard(row, help.get(row.key)))
      : [h("p", { class: "muted" }, gettext(gettext("Nobody is logged in.")))]));
  document.getElementById("alerts").replaceChildren(
    ...(alerts.length ? alerts.map(alertItem) : [h("li", { class: "muted" }, gettext("No other alerts."))]));
  const floor = state.summary.floor;
  if (floor) {
    document.getElementById("summary").textContent =
      fmt(gettext("%(staffed)s staffed · %(available)s available · %(on_call)s on call · %(wrap_up)s wrap-up · %(not_ready)s not ready"), floor);
  }
  showAdherence(state);
  announce(urgent);
  tick(feed);
  // What was drawn after the cards (the team figures over the grid) may leave less room: lay
  // the page out once more so that no card is cut.
  if (config.tv && !relayout && agentCapacity(document.getElementById("agents")) !== tvMeasured) {
    renderBoard(state, feed, true);
  }
}

// Schedule adherence (supervisors and team leads get these fields): a card whose agent is out of
// adherence names the scheduled activity, and is marked while its "adherence" alert stands; a
// strip above the grid gives each team's adherence and conformance today.
function showAdherence(state) {
  const gettext = window.gettext || ((s) => s);
  const interpolate = window.interpolate || ((f, o) => f.replace(/%\((\w+)\)s/g, (_, k) => String(o[k])));
  const percent = new Intl.NumberFormat(document.documentElement.lang || undefined, { style: "percent" });
  const flagged = new Set(Object.values(state.alerts).filter((a) => a.kind === "adherence").map((a) => a.agent));
  for (const card of document.querySelectorAll(".agent[data-key]")) {
    const row = state.agents[card.dataset.key];
    if (!row || row.in_adherence !== false) continue;
    card.classList.add("adherence-off");
    card.classList.toggle("out-of-adherence", flagged.has(row.key));
    card.append(h("div", { class: "scheduled", dataset: { testid: "agent-scheduled" } },
      interpolate(gettext("Scheduled: %(activity)s"), { activity: SCHEDULED[row.scheduled] || row.scheduled_label }, true)));
  }
  const teams = Object.values(state.summary).filter((e) => e.key.startsWith("team:"))
    .sort((a, b) => a.team.localeCompare(b.team));
  let strip = document.getElementById("team-adherence");
  if (!strip) {
    strip = h("div", { id: "team-adherence", class: "team-adherence", dataset: { testid: "team-adherence" } });
    document.getElementById("agents").before(strip);
  }
  const figure = (v) => (v === null || v === undefined ? "–" : percent.format(v));
  strip.replaceChildren(...teams.map((t) => h("span", { class: "team", dataset: { team: t.team_id } },
    h("strong", null, t.team), " ",
    interpolate(gettext("adherence %(adherence)s · conformance %(conformance)s"),
      { adherence: figure(t.adherence), conformance: figure(t.conformance) }, true))));
}

function renderBroadcasts(state) {
  const list = Object.values(state.broadcasts).sort((a, b) => (
    (a.priority === "urgent" ? 0 : 1) - (b.priority === "urgent" ? 0 : 1) || b.at - a.at));
  document.getElementById("broadcasts").replaceChildren(...list.map(broadcastItem));
}

function tick(feed) {
  if (!feed.state) return;
  const now = feed.now();
  for (const el of document.querySelectorAll(".tick[data-since]")) {
    el.textContent = duration(now - Number(el.dataset.since));
    // A wait of an hour or more ("1:02:33") takes a smaller size in the tile's big figures.
    el.classList.toggle("long", el.textContent.length > 5);
  }
  for (const el of document.querySelectorAll(".agent[data-since]")) {
    const row = feed.state.agents[el.dataset.key];
    if (row) el.dataset.band = agentBand(row, now);
  }
  for (const el of document.querySelectorAll(".tile[data-key]")) {
    const tile = feed.state.queues[el.dataset.key];
    if (tile) el.dataset.band = worst(slBand(tile), waitBand(tile, now));
  }
}

function renderMe(state, feed) {
  renderBroadcasts(state);
  const mine = Object.values(state.agents)[0];
  const target = document.getElementById("my-state");
  if (mine) {
    target.replaceChildren(stateText(mine), " ", h("span", { class: "tick", dataset: { since: mine.since } }),
      ` · ${fmt(gettext("handled today %(handled)s · missed rings %(missed)s"), { handled: mine.handled, missed: mine.missed_rings })}`);
  } else {
    target.textContent = gettext("not logged in to the telephony");
  }
  const requests = Object.values(state.help).sort((a, b) => b.at - a.at);
  const open = requests.find((r) => (r.status || "open") === "open");
  const taken = requests.find((r) => r.status === "taken");
  const status = document.getElementById("help-status");
  const button = document.querySelector("#help-form button");
  if (open) {
    status.replaceChildren(
      interpolate(gettext("Asked at %(time)s (%(reason)s) — a supervisor will come."),
        { time: clock(open.at), reason: open.reason_label }, true), " ",
      h("button", { class: "small secondary", dataset: { cancelHelp: open.id } }, gettext("Cancel")));
    button.disabled = true;
  } else if (taken) {
    status.replaceChildren(h("strong", { dataset: { testid: "help-taker" } },
      interpolate(gettext("%(name)s is coming"), { name: taken.taken_by }, true)),
    " ", interpolate(gettext("(took your request at %(time)s)"), { time: clock(taken.taken_at) }, true));
    button.disabled = false;
  } else {
    status.textContent = "";
    button.disabled = false;
  }
  tick(feed);
}

// --- attention: a tone and a desktop notification for what needs someone now ------------------
// Help requests and red alerts that were not on the board a moment ago. The first snapshot
// only sets what was already there (a reconnect does not ring for old news). Muting is per
// user, kept in this browser; notifications need the browser's permission, asked from a button.

const muteKey = `callfloor.floor.muted.${config.user_key || "anyone"}`;
let announced = null;
let audio = null;

function isMuted() {
  try { return localStorage.getItem(muteKey) === "1"; } catch (e) { return false; }
}

function setMuted(muted) {
  try { localStorage.setItem(muteKey, muted ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
  showAttentionControls();
}

function audioContext() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  audio = audio || new Context();
  if (audio.state === "suspended") audio.resume().catch(() => {});
  return audio;
}

// Two short tones (three for a help request): a cue that carries across a room, not a siren.
function chime(help) {
  const context = audioContext();
  if (!context) return;
  const notes = help ? [880, 660, 880] : [660, 880];
  notes.forEach((frequency, i) => {
    const start = context.currentTime + i * 0.22;
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.18);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start);
    oscillator.stop(start + 0.2);
  });
}

function notify(alert) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const title = alert.kind === "help" ? gettext("Help request") : gettext("Red alert");
  try {
    const note = new Notification(title, { body: alertText(alert), tag: alert.key, lang: document.documentElement.lang });
    note.onclick = () => { window.focus(); note.close(); };
  } catch (e) { /* a browser that allows notifications only from a service worker */ }
}

function announce(urgent) {
  const keys = urgent.map((a) => a.key);
  if (announced === null) { announced = new Set(keys); return; }
  const fresh = urgent.filter((a) => !announced.has(a.key));
  for (const key of keys) announced.add(key);
  if (!fresh.length || isMuted()) return;
  chime(fresh.some((a) => a.kind === "help"));
  fresh.slice(0, 3).forEach(notify);
}

function showAttentionControls() {
  const mute = document.getElementById("mute-alerts");
  if (mute) {
    const muted = isMuted();
    mute.setAttribute("aria-pressed", String(muted));
    mute.textContent = muted ? gettext("Alerts muted: turn on") : gettext("Mute alerts");
  }
  const allow = document.getElementById("allow-notifications");
  if (allow) allow.hidden = !("Notification" in window) || Notification.permission !== "default";
}

function wireAttentionControls() {
  showAttentionControls();
  document.getElementById("mute-alerts")?.addEventListener("click", () => {
    audioContext();  // the click lets the page play the tone later
    setMuted(!isMuted());
  });
  document.getElementById("allow-notifications")?.addEventListener("click", () => {
    audioContext();
    Notification.requestPermission().then(showAttentionControls, showAttentionControls);
  });
}

// --- wiring -----------------------------------------------------------------------------------

const scheme = location.protocol === "https:" ? "wss" : "ws";
const render = config.mode === "me" ? renderMe : renderBoard;
const feed = new FloorFeed({
  url: `${scheme}://${location.host}${config.ws_path}`,
  heartbeatS: config.heartbeat_s,
  onChange: (state) => render(state, feed),
  onStatus: (status) => {
    const el = document.getElementById("feed-state");
    if (el) { el.textContent = FEED_STATUS[status] || status; el.dataset.status = status; }
  },
});
window.callfloorFloor = feed;
feed.connect();
setInterval(() => tick(feed), 1000);
if (config.tv) {
  document.documentElement.requestFullscreen?.().catch(() => {});
  setInterval(() => { tvPage += 1; if (feed.state) render(feed.state, feed); }, ROTATE_MS);
}
if (config.mode !== "me") {
  wireAttentionControls();
  // A new screen size (or a TV's full screen) fits a new number of cards.
  let resizing = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => { if (feed.state) render(feed.state, feed); }, 150);
  });
}

const flash = (error) => alert(error.message);  // eslint-disable-line no-alert
document.addEventListener("click", (event) => {
  const el = event.target.closest("button");
  if (!el) return;
  if (el.dataset.ack) post("/api/floor/alerts/ack/", { key: el.dataset.ack }).catch(flash);
  else if (el.dataset.takeHelp) post(`/api/floor/help-requests/${el.dataset.takeHelp}/take/`).catch(flash);
  else if (el.dataset.takeover) post("/api/floor/takeovers/", { agent: Number(el.dataset.takeover) }).catch(flash);
  else if (el.dataset.action) post(el.dataset.action).catch(flash);
  else if (el.dataset.withdraw) post(`/api/floor/broadcasts/${el.dataset.withdraw}/withdraw/`).catch(flash);
  else if (el.dataset.cancelHelp) post(`/api/floor/help-requests/${el.dataset.cancelHelp}/cancel/`).catch(flash);
});
for (const id of ["filter-team", "filter-queue"]) {
  const select = document.getElementById(id);
  if (!select) continue;
  select.value = id === "filter-team" ? config.team : config.queue;
  select.addEventListener("change", () => { if (feed.state) render(feed.state, feed); });
}
document.getElementById("broadcast-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const minutes = Number(form.expires.value || 0);
  post("/api/floor/broadcasts/", {
    text: form.text.value, priority: form.priority.value,
    expires_at: minutes ? new Date(Date.now() + minutes * 60000).toISOString() : null,
  }).then(() => form.reset()).catch(flash);
});
document.getElementById("help-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  post("/api/floor/help-requests/", { reason: form.reason.value, note: form.note.value })
    .then(() => { form.note.value = ""; document.getElementById("help-status").textContent = gettext("Asked — a supervisor will come."); })
    .catch(flash);
});
