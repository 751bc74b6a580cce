// The new-handover form: "Add a case" copies the last case row with empty, renumbered fields.
(function () {
  "use strict";
  const button = document.getElementById("add-case");
  if (!button) return;
  button.addEventListener("click", () => {
    const rows = document.getElementById("case-rows");
    const last = rows.querySelector(".case-row:last-of-type");
    const next = Number(last.dataset.index) + 1;
    const copy = last.cloneNode(true);
    copy.dataset.index = next;
    // The same words as the page's "Case 1", "Case 2" (Django's JavaScript catalogue).
    copy.querySelector("legend").textContent = interpolate(
      gettext("Case %(number)s"), { number: rows.children.length + 1 }, true);
    // The copy is a new, empty case: the errors of the row it came from stay there.
    copy.querySelectorAll(".field-error").forEach((el) => el.remove());
    copy.querySelectorAll("[name]").forEach((el) => {
      el.name = el.name.replace(/^case-\d+-/, "case-" + next + "-");
      if (el.tagName === "SELECT") { el.selectedIndex = el.name.endsWith("severity") ? 1 : 0; } else { el.value = ""; }
    });
    rows.appendChild(copy);
  });
})();
