// The test paper's countdown: the seconds left come from the server (its deadline, not the
// browser's clock); at zero the paper is handed in with what is answered. The server refuses
// answers that arrive after the limit and its short grace, whatever this script does.
(function () {
  "use strict";
  const gettext = window.gettext || ((s) => s);
  const box = document.querySelector("[data-seconds-left]");
  const form = document.getElementById("paper");
  if (!box || !form) return;
  const clock = box.querySelector("[data-countdown-clock]");
  const end = Date.now() + Number(box.dataset.secondsLeft) * 1000;
  let sent = false;
  form.addEventListener("submit", () => {
    sent = true;
  });

  function two(n) {
    return String(n).padStart(2, "0");
  }

  function tick() {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    const minutes = Math.floor(left / 60);
    clock.textContent = `${two(minutes)}:${two(left % 60)}`;
    box.classList.toggle("warning", left <= 60);
    if (left === 0) {
      if (!sent) {
        sent = true;
        clock.textContent = gettext("Time is up: handing in");
        form.requestSubmit();
      }
      return;
    }
    window.setTimeout(tick, 250);
  }
  tick();
})();
