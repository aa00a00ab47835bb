/* Event pages: the live attendance counter, the venue QR that changes every
   minute, and the print button of the sign-in sheet. */
(function () {
  "use strict";
  var statsBox = document.querySelector("[data-stats-url]");

  function refreshStats() {
    if (!statsBox) { return; }
    fetch(statsBox.dataset.statsUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (stats) {
        if (!stats) { return; }
        document.querySelectorAll("[data-stat]").forEach(function (element) {
          var value = stats[element.dataset.stat];
          if (value !== undefined && element.textContent !== String(value)) {
            element.textContent = value;
          }
        });
      })
      .catch(function () { /* offline for a moment: the next poll catches up */ });
  }

  if (statsBox) {
    setInterval(refreshStats, 4000);
    document.addEventListener("opc:checked-in", refreshStats);
  }

  // The venue code is valid for its minute and the next: reloading every 20 s keeps
  // the one on screen at least 40 s from expiry.
  var venue = document.getElementById("venue-qr");
  if (venue) {
    setInterval(function () {
      venue.src = venue.dataset.src + "?t=" + Date.now();
    }, (parseInt(venue.dataset.refresh, 10) || 20) * 1000);
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
}());
