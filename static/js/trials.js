// Try before you buy: drag-and-drop upload with a size check, live run progress, charts.
// No inline scripts (CSP): chart specs come from <script type="application/json"> elements.
(() => {
  "use strict";

  function setupUpload() {
    const form = document.getElementById("upload-form");
    if (!form) return;
    const input = form.querySelector('input[type="file"]');
    const zone = document.getElementById("dropzone");
    const message = document.getElementById("upload-client-error");
    const maxBytes = Number(form.dataset.maxBytes || 0);

    function tooLarge() {
      const file = input.files && input.files[0];
      if (file && maxBytes && file.size > maxBytes) {
        message.textContent = `“${file.name}” is larger than ${form.dataset.maxLabel}. ` +
          "Upload a smaller extract (for example the last 12 months) or split it.";
        input.setAttribute("aria-invalid", "true");
        input.classList.add("is-invalid");
        return true;
      }
      message.textContent = "";
      input.removeAttribute("aria-invalid");
      input.classList.remove("is-invalid");
      return false;
    }

    input.addEventListener("change", tooLarge);
    form.addEventListener("submit", (event) => {
      if (tooLarge()) {
        event.preventDefault();
        input.focus();
      }
    });
    ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("is-dragover");
    }));
    ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.remove("is-dragover");
    }));
    zone.addEventListener("drop", (event) => {
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      if (!tooLarge()) form.requestSubmit();
    });
    zone.dataset.ready = "true";
  }

  function setupProgress() {
    const box = document.getElementById("run-progress");
    if (!box) return;
    const step = document.getElementById("run-step");
    const bar = document.getElementById("run-bar");
    const progress = bar.parentElement;
    let delay = 500;

    function show(percent, text) {
      bar.style.width = `${percent}%`;
      progress.setAttribute("aria-valuenow", String(percent));
      step.textContent = `${text} (${percent}%)`;
    }
    show(Number(bar.dataset.percent || 0), step.textContent.replace(/\s*\(\d+%\)$/, ""));

    async function poll() {
      try {
        const response = await fetch(box.dataset.statusUrl, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (response.ok) {
          const status = await response.json();
          show(status.percent, status.step || "Working");
          if (status.done) {
            window.location.reload();
            return;
          }
        } else if (response.status === 404) {
          step.textContent = "This run no longer exists. It may have been deleted.";
          return;
        }
      } catch (error) {
        // A network hiccup: keep polling, a little slower.
      }
      delay = Math.min(delay * 1.3, 3000);
      window.setTimeout(poll, delay);
    }
    window.setTimeout(poll, delay);
  }

  const PALETTE = ["#1f3a5f", "#f4a261", "#2a9d8f", "#e76f51", "#8ab17d", "#6d597a", "#e9c46a", "#264653"];

  function setupCharts() {
    if (typeof window.Chart === "undefined") return;
    document.querySelectorAll("canvas.trial-chart").forEach((canvas) => {
      const source = document.getElementById(canvas.dataset.spec);
      if (!source) return;
      const spec = JSON.parse(source.textContent);
      const round = spec.type === "doughnut" || spec.type === "pie";
      const datasets = spec.datasets.map((ds, i) => ({
        label: ds.label,
        data: ds.data,
        backgroundColor: round ? spec.labels.map((_, j) => PALETTE[j % PALETTE.length]) : PALETTE[i % PALETTE.length],
        borderColor: round ? "#fff" : PALETTE[i % PALETTE.length],
        borderWidth: round ? 1 : 2,
        pointRadius: spec.type === "line" ? 0 : undefined,
        spanGaps: true,
      }));
      canvas.chart = new window.Chart(canvas, {
        type: spec.type,
        data: { labels: spec.labels, datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: round || datasets.length > 1 } },
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    setupUpload();
    setupProgress();
    setupCharts();
  });
})();
