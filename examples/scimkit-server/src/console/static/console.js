// scimkit console: the only script. Reloads a page marked data-refresh="SECONDS"
// while its "Refresh automatically" box is ticked and no form field has focus.
// Everything works without it (the page has a Refresh link).
(function () {
  "use strict";
  var root = document.querySelector("[data-refresh]");
  if (!root) { return; }
  var seconds = parseInt(root.getAttribute("data-refresh"), 10) || 5;
  var box = document.getElementById("auto-refresh");
  if (box) { box.hidden = false; }
  var toggle = document.getElementById("auto-refresh-on");
  setInterval(function () {
    var busy = document.activeElement && /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName)
      && document.activeElement !== toggle;
    if (toggle && toggle.checked && !busy) { window.location.reload(); }
  }, seconds * 1000);
})();
