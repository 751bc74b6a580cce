// The briefing form's attendees: only the chosen team's agents are shown (and sent), with an
// "everyone in the team" box and a count. No inline handlers: the pages carry a strict CSP.
(function () {
  "use strict";
  const gettext = window.gettext || ((s) => s);
  const interpolate =
    window.interpolate ||
    ((text, values, named) =>
      named ? text.replace(/%\((\w+)\)s/g, (_, key) => String(values[key])) : text);

  const select = document.querySelector("select[data-attendee-team]");
  if (!select) return;
  const groups = Array.from(document.querySelectorAll(".attendee-group[data-team]"));
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function boxes(group) {
    return Array.from(group.querySelectorAll('input[name="attendees"]'));
  }

  function refresh(group) {
    const all = boxes(group);
    const ticked = all.filter((box) => box.checked).length;
    const everyone = group.querySelector("input[data-select-all]");
    if (everyone) {
      everyone.checked = all.length > 0 && ticked === all.length;
      everyone.indeterminate = ticked > 0 && ticked < all.length;
    }
    const count = group.querySelector(".attendee-count");
    if (count) {
      count.textContent = interpolate(
        gettext("%(ticked)s of %(total)s present"),
        { ticked: number.format(ticked), total: number.format(all.length) },
        true,
      );
    }
  }

  function show() {
    for (const group of groups) {
      const chosen = group.dataset.team === select.value;
      group.hidden = !chosen;
      // Another team's boxes are neither shown nor sent (the server refuses strangers).
      for (const box of group.querySelectorAll("input")) box.disabled = !chosen;
    }
  }

  for (const group of groups) {
    group.addEventListener("change", (event) => {
      if (event.target.matches("input[data-select-all]")) {
        for (const box of boxes(group)) box.checked = event.target.checked;
      }
      refresh(group);
    });
    refresh(group);
  }
  select.addEventListener("change", show);
  show();
})();
