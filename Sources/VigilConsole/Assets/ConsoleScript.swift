/// The console's only script, served as /console/static/console.js.
/// Plain ES2017, no build step. It (1) draws each `[data-plot]` element
/// with dygraphs when it scrolls into view, asking the server for as many
/// buckets as the element is wide; (2) refreshes drawn plots, and the
/// overview's numbers, once per flush interval while the tab is visible.
/// `window.vigilConsole` records what was drawn, for the browser test.
enum ConsoleScript {
    static let source = #"""
"use strict";
(function () {
  const state = { drawn: 0, points: {}, failures: [], firstDrawnAt: null, lastDrawnAt: null, refreshes: 0 };
  window.vigilConsole = state;
  const body = document.body;
  const refreshMs = Math.max(1, Number(body.dataset.refreshSeconds || 15)) * 1000;
  const colors = ["#1f77b4", "#d62728", "#7f7f7f", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b"];

  function plotURL(el) {
    const width = Math.max(50, Math.round(el.clientWidth || 600));
    return el.dataset.plot + "&width=" + width;
  }

  function rowsOf(data) {
    return data.rows.map(function (r) {
      const row = [new Date(r[0] * 1000)];
      for (let i = 1; i < r.length; i++) row.push(r[i]);
      return row;
    });
  }

  function countPoints(data) {
    let n = 0;
    for (const r of data.rows) for (let i = 1; i < r.length; i++) if (r[i] !== null) n++;
    return n;
  }

  function draw(el) {
    if (el.dataset.loading === "1") return;
    el.dataset.loading = "1";
    fetch(plotURL(el), { credentials: "same-origin" }).then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.json();
    }).then(function (data) {
      el.dataset.loading = "0";
      el.dataset.points = String(countPoints(data));
      el.dataset.series = String(data.labels.length - 1);
      el.dataset.labels = data.labels.slice(1).join("|");
      if (data.rows.length === 0) {
        if (el.graph) { el.graph.destroy(); el.graph = null; }
        el.textContent = "no points in this range yet";
        el.classList.add("empty");
      } else if (el.graph) {
        el.graph.updateOptions({ file: rowsOf(data), labels: data.labels });
      } else {
        el.textContent = "";
        el.classList.remove("empty");
        el.graph = new Dygraph(el, rowsOf(data), {
          labels: data.labels, customBars: true, connectSeparatedPoints: false,
          ylabel: data.unit, labelsSeparateLines: true, legend: "follow", colors: colors,
          includeZero: true, strokeWidth: 1.5, height: el.clientHeight || 180
        });
      }
      if (el.dataset.drawn !== "1") {
        el.dataset.drawn = "1";
        state.drawn++;
      }
      state.points[el.dataset.plot] = Number(el.dataset.points);
      const now = performance.now();
      if (state.firstDrawnAt === null) state.firstDrawnAt = now;
      state.lastDrawnAt = now;
    }).catch(function (err) {
      el.dataset.loading = "0";
      el.dataset.error = String(err);
      state.failures.push(el.dataset.plot + ": " + err);
      el.textContent = "cannot load this plot: " + err;
    });
  }

  const plots = Array.prototype.slice.call(document.querySelectorAll("[data-plot]"));
  const visible = new Set();
  if (plots.length > 0) {
    if (typeof Dygraph === "undefined") {
      for (const el of plots) el.textContent = "the chart library did not load (is libjs-dygraphs installed?)";
    } else if ("IntersectionObserver" in window) {
      const seen = new IntersectionObserver(function (entries) {
        for (const e of entries) {
          if (e.isIntersecting) { visible.add(e.target); if (e.target.dataset.drawn !== "1") draw(e.target); }
          else visible.delete(e.target);
        }
      }, { rootMargin: "200px" });
      for (const el of plots) seen.observe(el);
    } else {
      for (const el of plots) { visible.add(el); draw(el); }
    }
  }

  function refreshMain() {
    fetch(location.pathname + location.search + (location.search ? "&" : "?") + "fragment=main",
          { credentials: "same-origin" }).then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.text();
    }).then(function (html) {
      document.getElementById("main").innerHTML = html;
    }).catch(function (err) { state.failures.push("refresh: " + err); });
  }

  setInterval(function () {
    if (document.hidden) return;
    state.refreshes++;
    if (body.dataset.liveMain === "1") refreshMain();
    for (const el of visible) if (el.dataset.drawn === "1") draw(el);
  }, refreshMs);
})();
"""#
}
