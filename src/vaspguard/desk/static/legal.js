// The legal desk's "sign this with your passkey" ceremony, for every form with class "sign": approve, reject,
// narrow. The form's fields go to data-options, which answers WebAuthn request options whose challenge is the
// digest of the exact decision message; the assertion goes back, with the same fields, to data-verify. The
// server checks everything; this file only carries bytes. Uses post(), b64urlToBuffer() and
// credentialJSON() from desk.js (loaded before it). And the instrument upload's SHA-256, computed here.
"use strict";

function formFields(form) {
  const fields = {};
  for (const [name, value] of new FormData(form).entries()) {
    if (name === "keep" || name === "category") (fields[name] = fields[name] || []).push(value);
    else if (name === "return_to_process") fields[name] = true;
    else fields[name] = value;
  }
  return fields;
}

async function signDecision(form) {
  const fields = formFields(form);
  const options = await post(form.dataset.options, fields);
  options.challenge = b64urlToBuffer(options.challenge);
  options.allowCredentials = (options.allowCredentials || []).map((c) => ({ ...c, id: b64urlToBuffer(c.id) }));
  const credential = await navigator.credentials.get({ publicKey: options });
  return post(form.dataset.verify, { ...fields, credential: credentialJSON(credential) });
}

async function sha256Hex(file) {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

document.addEventListener("DOMContentLoaded", () => {
  const status = document.getElementById("status");
  for (const form of document.querySelectorAll("form.sign")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      status.classList.remove("error");
      status.textContent = "Waiting for your passkey…";
      try {
        const result = await signDecision(form);
        status.textContent = "Signed.";
        window.location.assign(result.next);
      } catch (error) {
        status.textContent = error.message || String(error);
        status.classList.add("error");
        button.disabled = false;
      }
    });
  }
  const upload = document.getElementById("document");
  const shown = document.getElementById("document-sha256");
  if (upload && shown) {
    upload.addEventListener("change", async () => {
      shown.value = upload.files.length ? await sha256Hex(upload.files[0]) : "";
    });
  }
});
