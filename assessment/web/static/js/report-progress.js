/* Report progress without reloading the page: asks the same URL for JSON every 2 s.
   Without JavaScript the page's meta refresh does the same by reloading. */
(function () {
  "use strict";
  var box = document.querySelector("[data-report-progress], [data-batch-progress]");
  if (!box) { return; }
  var url = box.getAttribute("data-url");
  var state = box.querySelector("[role=status]");
  var bar = box.querySelector("progress");
  var isBatch = box.hasAttribute("data-batch-progress");
  // The script takes over from the meta refresh.
  var refresh = document.querySelector("meta[http-equiv=refresh]");
  if (refresh) { refresh.parentNode.removeChild(refresh); }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function showSingle(data) {
    if (data.state === "done") {
      state.textContent = "Ready: the download starts now.";
      bar.max = 1; bar.value = 1;
      window.location.assign(url);
      return true;
    }
    if (data.state === "failed") { window.location.reload(); return true; }
    state.textContent = data.state === "running"
      ? "Being laid out as a PDF now."
      : (data.ahead ? "Waiting: " + plural(data.ahead, "report") + " ahead of it."
                    : "Waiting for a worker to start it.");
    return false;
  }

  function showBatch(data) {
    var finished = data.done + data.failed;
    bar.max = data.total; bar.value = finished;
    if (data.state === "done") { window.location.reload(); return true; }
    state.textContent = finished + " of " + data.total + " finished (" + data.percent + "%)" +
      (data.failed ? ", " + data.failed + " failed so far." : ".");
    return false;
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var stop = isBatch ? showBatch(data) : showSingle(data);
        if (!stop) { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
