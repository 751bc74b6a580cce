// The call player (templates/recordings/_player.html): the vendored wavesurfer.js draws the
// recording's waveform (each channel of a stereo recording on its own row) over a timeline, with
// the moments of the page as markers. Play/pause, ±5 s, speed 0.75–2×, keyboard shortcuts, and
// every moment button seeks the player to its time. The page's strict Content-Security-Policy
// holds: wavesurfer's own stylesheet carries the page's nonce, and every text is set with
// textContent. Without this script the moments are still listed with their times.
(function () {
  "use strict";
  const gettext = window.gettext || ((s) => s);
  const interpolate = window.interpolate || ((fmt, obj) => fmt.replace(/%\(\w+\)s/g, (m) => obj[m.slice(2, -2)]));
  const WaveSurfer = window.WaveSurfer;
  const SPEEDS = [0.75, 1, 1.25, 1.5, 2];
  const SKIP_S = 5;
  const COLOURS = { comment: "#1f6feb", deduction: "#cf222e", citation: "#8250df", highlight: "#1a7f37" };
  const players = [];

  function clock(seconds) {
    const whole = Math.max(0, Math.floor(seconds || 0));
    const h = Math.floor(whole / 3600);
    const m = Math.floor((whole % 3600) / 60);
    const s = String(whole % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  }

  // The waveform's peaks and duration from the server: the page draws the call without
  // fetching a byte of the recording (and without counting as a listen). null when the server
  // cannot draw it: the player then draws the waveform once the recording plays.
  function peaksOf(wave) {
    const url = wave.dataset.peaksUrl;
    if (!url) return Promise.resolve(null);
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((waveform) => (waveform && waveform.peaks && waveform.duration ? waveform : null))
      .catch(() => null);
  }

  function setup(section) {
    const wave = section.querySelector("[data-player-wave]");
    const audio = section.querySelector("[data-player-audio]");
    if (!wave || !audio || !WaveSurfer) return;
    section.querySelector("[data-player-state]").textContent = gettext("Loading the recording…");
    peaksOf(wave).then((waveform) => build(section, wave, audio, waveform));
  }

  function build(section, wave, pageAudio, waveform) {
    let audio = pageAudio;
    const toggle = section.querySelector("[data-player-toggle]");
    const time = section.querySelector("[data-player-time]");
    const state = section.querySelector("[data-player-state]");
    const speed = section.querySelector("[data-player-speed]");
    const at = section.querySelector("[data-player-at]");
    const regions = WaveSurfer.Regions.create();
    let ready = false;
    let pending = wave.dataset.startMs ? Number(wave.dataset.startMs) / 1000 : null;
    let atTyped = false;

    // The audio element loads nothing before the first play or seek (preload="none"); without
    // peaks it has no source until then, or wavesurfer would download the whole call to draw it.
    const source = pageAudio.src;
    if (!waveform) {
      // A fresh element without a source: the page's one already has a currentSrc, which
      // wavesurfer would load at once.
      const fresh = audio.cloneNode(false);
      fresh.removeAttribute("src");
      audio.replaceWith(fresh);
      audio = fresh;
    }
    let begun = false;
    const begin = () => {
      if (begun) return;
      begun = true;
      if (waveform) {
        audio.preload = "auto";
        return;
      }
      audio.src = source;
      // The media element's own (absolute) address: wavesurfer then keeps it as the source
      // instead of a blob: URL, which the policy's media-src (default 'self') refuses.
      ws.load(source).catch(() => {});
    };
    const ws = WaveSurfer.create({
      container: wave,
      media: audio,
      url: waveform ? source : undefined,
      peaks: waveform ? waveform.peaks : undefined,
      duration: waveform ? waveform.duration : undefined,
      cspNonce: wave.dataset.nonce || undefined,
      height: 56,
      waveColor: "#9aa4b5",
      progressColor: "#1f6feb",
      cursorColor: "#1d2330",
      // A stereo call shows its two sides, one row each (a mono one its single row).
      splitChannels: [
        { waveColor: "#9aa4b5", progressColor: "#1f6feb" },
        { waveColor: "#b9a3dc", progressColor: "#8250df" },
      ],
      dragToSeek: true,
      plugins: [WaveSurfer.Timeline.create({ height: 16 }), regions],
    });

    const show = () => {
      time.textContent = `${clock(ws.getCurrentTime())} / ${clock(ws.getDuration())}`;
      if (at && !atTyped && document.activeElement !== at) at.value = clock(ws.getCurrentTime());
    };
    const label = () => {
      toggle.textContent = ws.isPlaying() ? toggle.dataset.labelPause : toggle.dataset.labelPlay;
      toggle.setAttribute("aria-pressed", ws.isPlaying() ? "true" : "false");
    };
    // A person's seek (a moment, ±5 s, a key, the waveform) starts loading the recording.
    const seek = (seconds, asked = true) => {
      if (asked) begin();
      if (!ready) {
        pending = seconds;
        return;
      }
      ws.setTime(Math.min(Math.max(0, seconds), ws.getDuration()));
      show();
    };
    const rate = (step) => {
      const index = SPEEDS.indexOf(Number(speed.value));
      const next = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, index + step))];
      speed.value = String(next);
      ws.setPlaybackRate(next, true);
    };

    ws.on("ready", () => {
      ready = true;
      toggle.disabled = false;
      state.textContent = "";
      const decoded = ws.getDecodedData();
      const legend = section.querySelector("[data-player-channels]");
      if (legend && decoded && decoded.numberOfChannels > 1) legend.hidden = false;
      section.querySelectorAll("[data-seek-ms]").forEach((button) => {
        const colour = COLOURS[button.dataset.momentKind] || "#57606a";
        regions.addRegion({
          start: Number(button.dataset.seekMs) / 1000,
          color: colour,
          content: button.dataset.momentLabel || "",
          drag: false,
          resize: false,
        });
      });
      if (pending !== null) {
        const start = pending;
        pending = null;
        seek(start, false);
      }
      show();
    });
    ws.on("timeupdate", show);
    if (!waveform) {
      toggle.disabled = false;
      state.textContent = "";
    }
    ws.on("play", label);
    ws.on("pause", label);
    ws.on("finish", label);
    ws.on("error", () => {
      ready = false;
      toggle.disabled = true;
      state.textContent = gettext("The recording could not be loaded.");
    });
    regions.on("region-clicked", (region, event) => {
      event.stopPropagation();
      seek(region.start);
    });

    ws.on("interaction", begin);
    toggle.addEventListener("click", () => {
      begin();
      ws.playPause();
    });
    section.querySelectorAll("[data-player-skip]").forEach((button) => {
      button.addEventListener("click", () => seek(ws.getCurrentTime() + Number(button.dataset.playerSkip)));
    });
    speed.addEventListener("change", () => ws.setPlaybackRate(Number(speed.value), true));
    section.addEventListener("click", (event) => {
      const button = event.target.closest("[data-seek-ms]");
      if (button) seek(Number(button.dataset.seekMs) / 1000);
    });
    if (at) {
      at.addEventListener("input", () => {
        atTyped = at.value.trim() !== "";
      });
    }
    section.tabIndex = section.tabIndex >= 0 ? section.tabIndex : 0;
    const player = {
      section,
      ws,
      seek,
      rate,
      toggle: () => {
        if (!ready && waveform) return;
        begin();
        ws.playPause();
      },
      now: () => ws.getCurrentTime(),
    };
    section.callfloorPlayer = player;
    players.push(player);
  }

  // Keyboard: the player holding the focus, or the page's only player; never while typing.
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    const inside = target.closest && target.closest("[data-player]");
    const player = inside ? inside.callfloorPlayer : players.length === 1 ? players[0] : null;
    if (!player) return;
    const key = event.key;
    if ((key === " " || key === "Spacebar") && target.closest("button, a, summary")) return;
    if (key === " " || key === "k" || key === "K") player.toggle();
    else if (key === "ArrowLeft" || key === "j" || key === "J") player.seek(player.now() - SKIP_S);
    else if (key === "ArrowRight" || key === "l" || key === "L") player.seek(player.now() + SKIP_S);
    else if (key === "<" || key === ",") player.rate(-1);
    else if (key === ">" || key === ".") player.rate(1);
    else return;
    event.preventDefault();
  });

  // The appeal form: "cite the player's time" adds the current moment to an item's list.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-cite-into]");
    if (!button) return;
    const field = document.getElementById(button.dataset.citeInto);
    const player = players[0];
    if (!field || !player) return;
    const moment = clock(player.now());
    const cited = field.value.split(/[\s,;]+/).filter(Boolean);
    if (!cited.includes(moment)) cited.push(moment);
    field.value = cited.join(" ");
    const note = button.parentElement.querySelector("[data-cite-state]");
    if (note) note.textContent = interpolate(gettext("%(time)s cited"), { time: moment }, true);
  });

  document.querySelectorAll("[data-player]").forEach(setup);
})();
