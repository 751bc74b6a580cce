// Ticks complaint timers down between page loads (the page's numbers come from the server).
// An element with data-tick-until counts down from data-tick-left seconds until that moment
// ("always" for calendar time, the end of today's opening hours for business time).
(function () {
  "use strict";
  const loaded = Date.now();
  const AMBER_AT = 0.8;

  function format(seconds) {
    let rest = Math.floor(Math.abs(seconds));
    const sign = seconds < 0 ? "-" : "";
    const days = Math.floor(rest / 86400);
    rest -= days * 86400;
    const hours = Math.floor(rest / 3600);
    const minutes = Math.floor((rest - hours * 3600) / 60);
    // The same words as the server's (qa/complaints/timers.py), from the page's catalogue.
    if (days) return sign + interpolate(gettext("%(days)s d %(hours)s h"), { days, hours }, true);
    if (hours) {
      const mm = String(minutes).padStart(2, "0");
      return sign + interpolate(gettext("%(hours)s h %(minutes)s m"), { hours, minutes: mm }, true);
    }
    return sign + interpolate(gettext("%(minutes)s m"), { minutes }, true);
  }

  function tick() {
    for (const el of document.querySelectorAll("[data-tick-until]")) {
      const until = el.dataset.tickUntil;
      if (!until) continue;
      const stop = until === "always" ? Date.now() : Math.min(Date.now(), Date.parse(until));
      const left = Number(el.dataset.tickLeft) - Math.max(0, stop - loaded) / 1000;
      const budget = Number(el.dataset.tickBudget);
      const used = budget - left;
      el.dataset.level = left < 0 ? "red" : used >= AMBER_AT * budget ? "amber" : "green";
      const text = el.querySelector("[data-tick-text]");
      if (text) {
        text.textContent =
          left < 0
            ? interpolate(gettext("breached by %(over)s"), { over: format(-left) }, true)
            : interpolate(gettext("%(left)s left"), { left: format(left) }, true);
      }
      const meter = el.querySelector(".meter span");
      if (meter && budget) meter.style.width = `${Math.min(100, Math.round((used / budget) * 100))}%`;
    }
  }

  // A meter's first width comes from its data-percent (the page sets no inline style).
  for (const bar of document.querySelectorAll(".meter span[data-percent]")) {
    const percent = Number(bar.dataset.percent);
    if (Number.isFinite(percent)) bar.style.width = `${Math.min(100, Math.max(0, percent))}%`;
  }
  setInterval(tick, 15000);
})();
