// A <select data-auto-submit> sends its form as soon as it changes (no inline handlers: the
// pages carry a strict Content-Security-Policy).
document.addEventListener("change", (event) => {
  const select = event.target.closest?.("select[data-auto-submit]");
  if (select?.form) select.form.requestSubmit();
});
