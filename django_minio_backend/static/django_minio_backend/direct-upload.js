/* Direct uploads for django_minio_backend's DirectUploadWidget: the file goes from the browser
   straight to the bucket (one POST-policy form upload, or a multipart upload in parts), with
   progress; then the hidden input holds the upload token, which the form submits.
   No build step, no dependencies. Events on the widget's root element (they bubble):
   "minio-upload:progress" {loaded, total}, "minio-upload:done" {token}, "minio-upload:error" {message}. */
(function () {
  "use strict";
  var PARALLEL_PARTS = 3;

  function csrfToken(root) {
    var form = root.closest("form");
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function ask(root, action, body) {
    body.field = root.dataset.field;
    return fetch(root.dataset.views + action + "/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(root) },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || "the server answered " + response.status);
        return data;
      });
    });
  }

  // One request to the bucket, reporting bytes sent; resolves with the XMLHttpRequest.
  function send(method, url, headers, body, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      Object.keys(headers).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      xhr.upload.onprogress = function (event) { onProgress(event.loaded); };
      xhr.onload = function () {
        if (xhr.status >= 200 && xhr.status < 300) resolve(xhr);
        else reject(new Error("the bucket refused the upload (HTTP " + xhr.status + ")"));
      };
      xhr.onerror = function () { reject(new Error("the upload could not reach the bucket")); };
      xhr.send(body);
    });
  }

  function uploadForm(start, file, onProgress) {
    var form = new FormData();
    Object.keys(start.fields).forEach(function (name) { form.append(name, start.fields[name]); });
    form.append("file", file);
    return send("POST", start.url, {}, form, onProgress).then(function () { return start.token; });
  }

  function uploadParts(root, start, file, onProgress) {
    var sent = {};
    var next = 1;
    function progress(number, loaded) {
      sent[number] = loaded;
      onProgress(Object.keys(sent).reduce(function (sum, key) { return sum + sent[key]; }, 0));
    }
    function worker() {
      if (next > start.parts) return Promise.resolve();
      var number = next++;
      var blob = file.slice((number - 1) * start.part_size, number * start.part_size);
      return ask(root, "part", { token: start.token, number: number })
        .then(function (signed) {
          return send("PUT", signed.url, {}, blob, function (loaded) { progress(number, loaded); });
        })
        .then(function () { progress(number, blob.size); return worker(); });
    }
    var workers = [];
    for (var i = 0; i < Math.min(PARALLEL_PARTS, start.parts); i++) workers.push(worker());
    return Promise.all(workers)
      .then(function () { return ask(root, "complete", { token: start.token }); })
      .then(function (done) { return done.token; })
      .catch(function (error) {
        return ask(root, "abort", { token: start.token }).catch(function () {}).then(function () { throw error; });
      });
  }

  function emit(root, name, detail) {
    root.dispatchEvent(new CustomEvent("minio-upload:" + name, { bubbles: true, detail: detail }));
  }

  function upload(root, file) {
    var hidden = root.querySelector("input[type=hidden]");
    var bar = root.querySelector("progress");
    var status = root.querySelector(".minio-direct-upload-status");
    function onProgress(loaded) {
      bar.value = file.size ? loaded / file.size : 1;
      emit(root, "progress", { loaded: loaded, total: file.size });
    }
    hidden.value = "";
    root.dataset.state = "uploading";
    bar.hidden = false;
    bar.value = 0;
    status.textContent = "Uploading…";
    ask(root, "start", { name: file.name, size: file.size, type: file.type })
      .then(function (start) {
        return start.mode === "post" ? uploadForm(start, file, onProgress) : uploadParts(root, start, file, onProgress);
      })
      .then(function (token) {
        hidden.value = token;
        root.dataset.state = "done";
        status.textContent = "Uploaded.";
        emit(root, "done", { token: token });
      })
      .catch(function (error) {
        root.dataset.state = "failed";
        status.textContent = "Upload failed: " + error.message;
        emit(root, "error", { message: error.message });
      });
  }

  function bind(root) {
    if (root.dataset.bound) return;
    root.dataset.bound = "1";
    root.querySelector("input[type=file]").addEventListener("change", function (event) {
      if (event.target.files.length) upload(root, event.target.files[0]);
    });
    var form = root.closest("form");
    if (form) {
      form.addEventListener("submit", function (event) {
        if (root.dataset.state === "uploading") {
          event.preventDefault();
          root.querySelector(".minio-direct-upload-status").textContent = "Wait for the upload to finish.";
        }
      });
    }
  }

  function bindAll() { document.querySelectorAll(".minio-direct-upload").forEach(bind); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bindAll);
  else bindAll();
  // Admin inlines add forms later.
  document.addEventListener("formset:added", bindAll);
})();
