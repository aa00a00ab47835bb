/* The staff scanner page: reads ticket QRs with the camera (the browser's
   BarcodeDetector where present, the vendored jsQR otherwise), takes USB-scanner
   input and manual check-ins, and answers each in one glance: green, amber, red.
   Every scan carries a nonce, so a retry after a network hiccup is answered, not doubled. */
(function () {
  "use strict";
  var door = document.getElementById("door");
  if (!door) { return; }
  var scanUrl = door.dataset.scanUrl, csrf = door.dataset.csrf;
  var result = document.getElementById("scan-result");
  var video = document.getElementById("camera");
  var canvas = document.getElementById("camera-canvas");
  var startButton = document.getElementById("camera-start");
  var stopButton = document.getElementById("camera-stop");
  var status = document.getElementById("camera-status");
  var stream = null, detector = null, busy = false, lastCode = "", lastAt = 0;
  var TITLES = {ok: "签到成功", warn: "已签到过", bad: "不能签到"};
  if (document.documentElement.lang === "en") {
    TITLES = {ok: "Checked in", warn: "Already checked in", bad: "Not checked in"};
  }

  function nonce() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function show(answer) {
    result.className = "scan-result " + answer.colour;
    result.innerHTML = "";
    var title = document.createElement("div");
    title.className = "scan-title";
    title.textContent = TITLES[answer.colour] || "";
    var detail = document.createElement("div");
    detail.className = "scan-detail";
    var who = answer.attendee ? answer.attendee.name + (answer.attendee.organisation ?
      " · " + answer.attendee.organisation : "") : "";
    detail.textContent = answer.message + (who && answer.colour !== "ok" ? "（" + who + "）" :
      answer.colour === "ok" && answer.attendee && answer.attendee.organisation ?
      " · " + answer.attendee.organisation : "");
    result.appendChild(title);
    result.appendChild(detail);
    if (navigator.vibrate) { navigator.vibrate(answer.colour === "ok" ? 120 : [80, 60, 80]); }
    if (answer.status === "ok") { document.dispatchEvent(new CustomEvent("opc:checked-in")); }
  }

  function networkError() {
    show({colour: "bad", status: "error", message: "网络异常，请重试或改用纸质签到表。"});
  }

  // POST with retries: the same nonce each time, so a lost answer is not a double check-in.
  function post(url, body, headers, tries) {
    return fetch(url, {method: "POST", credentials: "same-origin", headers: headers, body: body})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .catch(function (error) {
        if (tries > 1) { return post(url, body, headers, tries - 1); }
        throw error;
      });
  }

  function scan(code) {
    var headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "X-CSRFToken": csrf};
    return post(scanUrl, JSON.stringify({code: code, nonce: nonce()}), headers, 3)
      .then(show, networkError);
  }

  function onCode(code) {
    var now = Date.now();
    if (busy || (code === lastCode && now - lastAt < 4000)) { return; }
    busy = true; lastCode = code; lastAt = now;
    scan(code).then(function () { setTimeout(function () { busy = false; }, 1200); });
  }

  function tick() {
    if (!stream) { return; }
    if (video.readyState < 2) { requestAnimationFrame(tick); return; }
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes.length) { onCode(codes[0].rawValue); }
        setTimeout(tick, 150);
      }, function () { setTimeout(tick, 300); });
      return;
    }
    var width = video.videoWidth, height = video.videoHeight;
    canvas.width = width; canvas.height = height;
    var context = canvas.getContext("2d", {willReadFrequently: true});
    context.drawImage(video, 0, 0, width, height);
    var found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height,
                            {inversionAttempts: "dontInvert"});
    if (found && found.data) { onCode(found.data); }
    setTimeout(tick, 200);
  }

  function chooseDecoder() {
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") >= 0) {
          detector = new window.BarcodeDetector({formats: ["qr_code"]});
          return "BarcodeDetector";
        }
        return "jsQR";
      }, function () { return "jsQR"; });
    }
    return Promise.resolve("jsQR");
  }

  function start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status.textContent = "此浏览器不能使用摄像头（需要 HTTPS）。请用下方输入框或按姓名查找。";
      return;
    }
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false})
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false; stopButton.hidden = false; startButton.hidden = true;
        return video.play().then(chooseDecoder).then(function (name) {
          status.textContent = "摄像头已开启（" + name + "），将票券二维码对准画面。";
          tick();
        });
      })
      .catch(function () {
        status.textContent = "未能打开摄像头：请允许使用摄像头，或用下方输入框、按姓名查找。";
      });
  }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null; video.hidden = true; stopButton.hidden = true; startButton.hidden = false;
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);

  // A USB scanner types the QR text and Enter into this box.
  var codeForm = document.getElementById("code-form");
  var codeInput = document.getElementById("code-input");
  codeForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = codeInput.value.trim();
    codeInput.value = "";
    if (code) { scan(code); }
    codeInput.focus();
  });

  // Manual check-in from the search results, without leaving the page.
  document.querySelectorAll("form.checkin-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      post(form.action, new FormData(form), {"Accept": "application/json", "X-CSRFToken": csrf}, 3)
        .then(function (answer) {
          show(answer);
          var tag = document.createElement("span");
          tag.className = "tag " + (answer.colour === "bad" ? "tag-missed" : "tag-ongoing");
          tag.textContent = answer.colour === "bad" ? TITLES.bad :
            "已签到 " + (answer.checked_in_at ? new Date(answer.checked_in_at)
              .toLocaleTimeString("zh-CN", {hour: "2-digit", minute: "2-digit", hour12: false}) : "");
          form.replaceWith(tag);
        }, function () { button.disabled = false; networkError(); });
    });
  });
}());
