// judgekit front end: the code editor on the submit page, live results on a submission page.
(function () {
  "use strict";

  var code = document.getElementById("code");
  if (code && window.CodeMirror) {
    window.CodeMirror.fromTextArea(code, {
      mode: "python",
      lineNumbers: true,
      indentUnit: 4,
      tabSize: 4,
      indentWithTabs: false,
      viewportMargin: Infinity,
      extraKeys: {
        Tab: function (cm) { cm.replaceSelection("    "); }
      }
    });
  }

  function follow() {
    var result = document.getElementById("result");
    if (!result || result.dataset.status === "done" || !window.EventSource) return;
    var total = parseInt(result.dataset.total || "0", 10) || 0;
    var source = new EventSource(result.dataset.events);
    source.addEventListener("status", function (event) {
      var data = JSON.parse(event.data);
      var label = document.getElementById("live-status");
      if (label) label.textContent = data.status === "queued" ? "Waiting in the queue…" : "Judging…";
    });
    source.addEventListener("case", function (event) {
      var data = JSON.parse(event.data);
      var rows = document.getElementById("case-rows");
      if (!rows) return;
      rows.insertAdjacentHTML("beforeend", data.html);
      var count = rows.querySelectorAll("tr.case").length;
      var counter = document.getElementById("live-count");
      if (counter) counter.textContent = String(count);
      var bar = document.getElementById("live-bar");
      if (bar && total) bar.style.width = Math.min(100, (100 * count) / total) + "%";
      var label = document.getElementById("live-status");
      if (label) label.textContent = "Judging…";
    });
    source.addEventListener("done", function (event) {
      var data = JSON.parse(event.data);
      source.close();
      var current = document.getElementById("result");
      if (current) current.outerHTML = data.html;
      if (data.verdict) document.title = data.verdict + " · " + document.title;
    });
    source.addEventListener("reset", function () {
      source.close();
      window.location.reload();
    });
  }
  follow();
})();
