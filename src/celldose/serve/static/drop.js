// Drag and drop onto the upload form: the dropped file becomes the form's file and is sent.
// Optional: without script, the same form works with its "Choose a file" button.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var zone = document.getElementById("drop");
  var input = document.getElementById("file");
  if (!zone || !input) { return; }
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (!event.dataTransfer || event.dataTransfer.files.length === 0) { return; }
    input.files = event.dataTransfer.files;
    input.form.submit();
  });
});
