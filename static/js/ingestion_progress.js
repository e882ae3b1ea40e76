// The ingestion job page: while its pages are ingested, ask for the progress every two
// seconds and move the bar; once every page is done, reload to show what came of each.
// Without this script the page works the same, refreshed by hand.
(function () {
  "use strict";
  const page = document.querySelector(".ingestion-job");
  const bar = document.getElementById("job-progress");
  const text = document.getElementById("job-progress-text");
  if (!page || !bar || !text) return;
  const url = page.dataset.progressUrl;

  function ask() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (progress) {
        bar.value = progress.finished;
        bar.max = progress.total;
        text.textContent = progress.finished + " of " + progress.total + " pages done";
        if (progress.done) {
          window.location.reload();
        } else {
          window.setTimeout(ask, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(ask, 5000);
      });
  }
  window.setTimeout(ask, 1000);
})();
