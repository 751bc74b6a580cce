// The language switch sends itself when another language is picked (its button stays for
// browsers without scripts). No inline handlers: the page's CSP forbids them.
for (const form of document.querySelectorAll("form.language-switch")) {
  const select = form.querySelector("select[data-autosubmit]");
  const button = form.querySelector("[data-language-submit]");
  if (!select) continue;
  if (button) button.hidden = true;
  select.addEventListener("change", () => form.requestSubmit());
}
