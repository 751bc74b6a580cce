// Draws the charts a page lists in its JSON data element (callfloor/charts.py) with the
// vendored Apache ECharts: values on hover, zoom (wheel or the slider), a legend that hides a
// series. Every text comes from the server in the page's language or from the catalogue;
// tooltips are built as DOM nodes with textContent (nothing is parsed as HTML), so the strict
// Content-Security-Policy holds. Without this script the page still has its table.
(function () {
  "use strict";
  const gettext = window.gettext || ((s) => s);
  const echarts = window.echarts;
  const lang = document.documentElement.lang || "en";
  // Canvas text needs a real font list: the page's own (with its CJK fonts).
  const font = () => window.getComputedStyle(document.body).fontFamily || "sans-serif";
  const COLOURS = ["#1f6feb", "#8250df", "#57606a", "#0a7ea4", "#b76e00"];
  const TONES = { good: "#1a7f37", bad: "#cf222e" };
  const TARGET = "#b76e00";

  const counts = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  const decimals = new Intl.NumberFormat(lang, {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  const numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const percents = new Intl.NumberFormat(lang, {
    style: "percent",
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  const axisPercents = new Intl.NumberFormat(lang, {
    style: "percent",
    maximumFractionDigits: 0,
  });

  function written(value, unit, axis) {
    if (value === null || value === undefined || value === "-" || Number.isNaN(value)) {
      return "–";
    }
    if (unit === "ratio") return (axis ? axisPercents : percents).format(value);
    if (unit === "count") return counts.format(value);
    if (unit === "seconds") return axis ? counts.format(value) : decimals.format(value);
    return numbers.format(value);
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // One tooltip line: a colour key, the series' name and its value.
  function tipLine(colour, name, value) {
    const line = element("div", "chart-tip-line");
    const key = element("span", "chart-tip-key");
    key.style.backgroundColor = colour; // CSSOM, which the policy allows
    line.append(key, element("span", "chart-tip-name", name), element("b", "chart-tip-value", value));
    return line;
  }

  function seriesTooltip(spec) {
    return (params) => {
      const list = Array.isArray(params) ? params : [params];
      const box = element("div", "chart-tip");
      if (!list.length) return box;
      box.append(element("div", "chart-tip-title", list[0].name));
      for (const p of list) {
        box.append(tipLine(p.color, p.seriesName, written(p.value, spec.unit, false)));
      }
      return box;
    };
  }

  function seriesOption(spec) {
    const series = spec.series.map((s, i) => ({
      id: s.key,
      name: s.name,
      type: s.kind,
      data: s.values.map((v) => (v === null ? "-" : v)),
      itemStyle: { color: TONES[s.tone] || COLOURS[i % COLOURS.length] },
      lineStyle: { width: 2 },
      symbolSize: 6,
      showSymbol: true,
      connectNulls: false,
      emphasis: { focus: "none" },
    }));
    if (spec.target) {
      series.push({
        id: "target",
        name: spec.target.name,
        type: "line",
        data: spec.labels.map(() => spec.target.value),
        itemStyle: { color: TARGET },
        lineStyle: { type: "dashed", width: 2 },
        symbol: "none",
      });
    }
    const max = spec.unit === "ratio" ? 1 : undefined;
    return {
      animation: false,
      color: COLOURS,
      textStyle: { fontFamily: font() },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: 56, containLabel: true },
      tooltip: {
        trigger: "axis",
        confine: true, // no arrow, which ECharts would write as an HTML string with a style
        axisPointer: { type: spec.series.some((s) => s.kind === "bar") ? "shadow" : "line" },
        formatter: seriesTooltip(spec),
      },
      xAxis: { type: "category", data: spec.labels },
      yAxis: {
        type: "value",
        min: 0,
        max: max,
        minInterval: spec.unit === "count" ? 1 : 0,
        axisLabel: { formatter: (v) => written(v, spec.unit, true) },
      },
      dataZoom: [
        { type: "inside", filterMode: "none" },
        { type: "slider", height: 18, bottom: 8, filterMode: "none" },
      ],
      series: series,
    };
  }

  function heatmapOption(spec) {
    const data = [];
    spec.cells.forEach((row, y) =>
      row.forEach((v, x) => data.push([x, y, v === null ? "-" : v])),
    );
    return {
      animation: false,
      textStyle: { fontFamily: font() },
      grid: { left: 8, right: 16, top: 8, bottom: 64, containLabel: true },
      tooltip: {
        trigger: "item",
        confine: true,
        formatter: (p) => {
          const box = element("div", "chart-tip");
          box.append(element("div", "chart-tip-title", `${spec.rows[p.value[1]]} ${spec.columns[p.value[0]]}:00`));
          const value = p.value[2] === "-" ? gettext("no calls") : written(p.value[2], spec.unit, false);
          box.append(tipLine(p.color, spec.value_name, value));
          return box;
        },
      },
      xAxis: { type: "category", data: spec.columns, splitArea: { show: true } },
      yAxis: { type: "category", data: spec.rows, inverse: true, splitArea: { show: true } },
      visualMap: {
        min: 0,
        max: spec.high,
        calculable: true,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        itemHeight: 120,
        inRange: { color: ["#ffffff", "#ffd6d6", "#cf222e"] },
        formatter: (v) => written(v, spec.unit, true),
      },
      series: [
        {
          name: spec.value_name,
          type: "heatmap",
          data: data,
          itemStyle: { borderColor: "#ffffff", borderWidth: 1 },
          emphasis: { itemStyle: { borderColor: "#333333", borderWidth: 1 } },
        },
      ],
    };
  }

  function draw(holder, spec) {
    const figure = element("figure", "chart");
    figure.dataset.chart = spec.key;
    figure.append(element("figcaption", "", spec.title));
    const canvas = element("div", `chart-canvas chart-${spec.type}`);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", spec.title);
    figure.append(canvas);
    holder.append(figure);
    const chart = echarts.init(canvas, null, { renderer: "canvas", locale: "EN" });
    chart.setOption(spec.type === "heatmap" ? heatmapOption(spec) : seriesOption(spec));
    new ResizeObserver(() => chart.resize()).observe(canvas);
    figure.dataset.ready = "1";
  }

  function start() {
    if (!echarts) return;
    for (const holder of document.querySelectorAll("[data-chart-source]")) {
      const source = document.getElementById(holder.dataset.chartSource);
      if (!source) continue;
      const specs = JSON.parse(source.textContent);
      holder.hidden = false; // shown first, so that each chart is drawn at its real size
      for (const spec of specs) draw(holder, spec);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
