// Passkey ceremonies for the desk (enrolment and sign-in). Loaded from the app's own origin: the
// Content-Security-Policy allows no inline script. The server sends WebAuthn options as JSON (base64url for
// binary fields) and checks every answer; this file only converts between JSON and the browser's API.
"use strict";

function b64urlToBuffer(value) {
  const b64 = value.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (value.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return bytes.buffer;
}

function bufferToB64url(buffer) {
  let text = "";
  for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function csrf() {
  return document.querySelector('meta[name="csrf-token"]').content;
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
    body: body === undefined ? "{}" : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (!response.ok) {
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const line = page.querySelector(".error");
    throw new Error(line ? line.textContent : "the server refused (" + response.status + ")");
  }
  return response.json();
}

function credentialJSON(credential) {
  const r = credential.response;
  const out = {
    id: credential.id,
    rawId: bufferToB64url(credential.rawId),
    type: credential.type,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: { clientDataJSON: bufferToB64url(r.clientDataJSON) },
  };
  if (r.attestationObject) {
    out.response.attestationObject = bufferToB64url(r.attestationObject);
    out.response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    out.response.authenticatorData = bufferToB64url(r.authenticatorData);
    out.response.signature = bufferToB64url(r.signature);
    out.response.userHandle = r.userHandle ? bufferToB64url(r.userHandle) : null;
  }
  return out;
}

async function enrol(button) {
  const options = await post(button.dataset.options);
  options.challenge = b64urlToBuffer(options.challenge);
  options.user.id = b64urlToBuffer(options.user.id);
  options.excludeCredentials = (options.excludeCredentials || []).map((c) => ({ ...c, id: b64urlToBuffer(c.id) }));
  const credential = await navigator.credentials.create({ publicKey: options });
  return post(button.dataset.verify, credentialJSON(credential));
}

async function signin(button) {
  const options = await post(button.dataset.options);
  options.challenge = b64urlToBuffer(options.challenge);
  options.allowCredentials = (options.allowCredentials || []).map((c) => ({ ...c, id: b64urlToBuffer(c.id) }));
  const credential = await navigator.credentials.get({ publicKey: options });
  return post(button.dataset.verify, credentialJSON(credential));
}

function wire(id, ceremony, doneText) {
  const button = document.getElementById(id);
  if (!button) return;
  const status = document.getElementById("status");
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "Waiting for your passkey…";
    try {
      const result = await ceremony(button);
      status.textContent = doneText;
      window.location.assign(result.next);
    } catch (error) {
      status.textContent = error.message || String(error);
      status.classList.add("error");
      button.disabled = false;
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  wire("enrol", enrol, "Passkey created. Now sign in with it.");
  wire("signin", signin, "Signed in.");
});
