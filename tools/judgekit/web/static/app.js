// judgekit front end: the code editor on the submit page, live results on a submission page.
(function () {
  "use strict";

  var code = document.getElementById("code");
  if (code && window.CodeMirror) {
    // Tab indents inside the editor; Escape then Tab (or Shift-Tab) moves focus on, so the
    // editor never traps the keyboard (WCAG 2.1.2). The hint under the editor says so.
    // A binding of `false` leaves the key to the browser; addKeyMap outranks extraKeys.
    var leave = { Tab: false, "Shift-Tab": false };
    var editor = window.CodeMirror.fromTextArea(code, {
      mode: "python",
      lineNumbers: true,
      indentUnit: 4,
      tabSize: 4,
      indentWithTabs: false,
      viewportMargin: Infinity,
      screenReaderLabel: "Your code",
      extraKeys: {
        Esc: function (cm) { cm.addKeyMap(leave); },
        Tab: function (cm) { cm.replaceSelection("    "); },
        "Shift-Tab": function (cm) { cm.execCommand("indentLess"); }
      }
    });
    var stay = function () { editor.removeKeyMap(leave); };
    editor.on("blur", stay);
    editor.on("keydown", function (_cm, event) {
      if (event.key !== "Escape" && event.key !== "Tab" && event.key !== "Shift") stay();
    });
    var hint = document.getElementById("editor-hint");
    if (hint) {
      editor.getInputField().setAttribute("aria-describedby", "editor-hint");
      hint.hidden = false;
    }
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
      var place = document.getElementById("queue-place");
      if (place) {
        place.textContent = data.queue ? data.queue.text : "";
        if (data.queue) place.dataset.position = String(data.queue.position);
        else delete place.dataset.position;
      }
    });
    source.addEventListener("case", function (event) {
      var data = JSON.parse(event.data);
      var rows = document.querySelector('tbody.case-rows[data-group="' + CSS.escape(data.group) + '"]') ||
        document.querySelector("tbody.case-rows");
      if (!rows) return;
      rows.insertAdjacentHTML("beforeend", data.html);
      var count = document.querySelectorAll("#result tr.case").length;
      var counter = document.getElementById("live-count");
      if (counter) counter.textContent = String(count);
      var bar = document.getElementById("live-bar");
      if (bar && total) bar.style.width = Math.min(100, (100 * count) / total) + "%";
      if (data.verdict === "AC") {
        var passed = document.querySelector('.group-summary li[data-group="' + CSS.escape(data.group) + '"] .group-passed');
        if (passed) passed.textContent = String((parseInt(passed.textContent, 10) || 0) + 1);
      }
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
    source.addEventListener("error", function () {
      // Refused (too many live streams) or gone: the browser will not reconnect by itself.
      if (source.readyState !== EventSource.CLOSED) return;
      var label = document.getElementById("live-status");
      if (label) label.textContent = "Live updates are paused: reload the page to see the result.";
    });
    source.addEventListener("reset", function () {
      source.close();
      window.location.reload();
    });
  }
  follow();
})();
