// The seller pipeline: the board refreshes itself, analytics draws its charts.
// No inline scripts (CSP): data comes from data-* attributes and <script type="application/json">.
(() => {
  "use strict";

  function startBoardRefresh(board) {
    const url = board.dataset.refreshUrl;
    const seconds = Math.max(1, Number(board.dataset.refreshSeconds) || 15);
    let busy = false;

    async function refresh() {
      // Don't pull the rug from under someone choosing an owner.
      if (busy || document.hidden || board.contains(document.activeElement)) return;
      busy = true;
      try {
        const response = await fetch(url, {
          credentials: "same-origin",
          headers: { "X-Requested-With": "fetch" },
        });
        if (response.ok) {
          const html = await response.text();
          if (html !== board.dataset.lastHtml) {
            board.innerHTML = html;
            board.dataset.lastHtml = html;
            board.dispatchEvent(new CustomEvent("board:refreshed"));
          }
        }
      } catch (error) {
        // Offline for a moment: try again on the next tick.
      } finally {
        busy = false;
      }
    }

    window.setInterval(refresh, seconds * 1000);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) refresh();
    });
  }

  function drawCharts(data) {
    if (typeof window.Chart === "undefined") return;
    const brand = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#1f3a5f";
    const common = { responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } } };
    const make = (id, type, labels, values, extra = {}) => {
      const canvas = document.getElementById(id);
      if (!canvas) return;
      new window.Chart(canvas, {
        type,
        data: { labels, datasets: [{ data: values, backgroundColor: brand, borderColor: brand }] },
        options: { ...common, ...extra },
      });
    };
    make("chart-funnel", "bar", data.funnel.labels, data.funnel.values, { indexAxis: "y" });
    make("chart-forecast", "bar", data.forecast.labels, data.forecast.values);
    make("chart-weekly", "line", data.weekly.labels, data.weekly.values);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const board = document.getElementById("board");
    if (board && board.dataset.refreshUrl) startBoardRefresh(board);
    const analytics = document.getElementById("analytics-data");
    if (analytics) drawCharts(JSON.parse(analytics.textContent));
  });
})();
