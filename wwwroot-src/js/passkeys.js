// Passkeys (WebAuthn): a button with data-passkey="get" (sign in, re-authenticate) or "create" (add one) sits in a
// form that posts the browser's answer. On click: ask the server for options (POST data-options-url with the form's
// antiforgery token and fields), run the browser's ceremony, put its JSON in the form's [data-passkey-credential]
// field and submit. The server checks everything; this file only carries the ceremony. Messages come localized
// from the button's data-text-* attributes.

const fromBase64Url = (text) => {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer;
};

const toBase64Url = (buffer) => {
  let binary = '';
  new Uint8Array(buffer).forEach((b) => { binary += String.fromCharCode(b); });
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

// Browsers without the WebAuthn JSON helpers (parse*FromJSON, toJSON) get the same conversion by hand.
function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return {
    ...json,
    challenge: fromBase64Url(json.challenge),
    user: { ...json.user, id: fromBase64Url(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: fromBase64Url(c.id) })),
  };
}

function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return {
    ...json,
    challenge: fromBase64Url(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: fromBase64Url(c.id) })),
  };
}

function credentialJson(credential) {
  if (typeof credential.toJSON === 'function') return JSON.stringify(credential.toJSON());
  const r = credential.response;
  const response = { clientDataJSON: toBase64Url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toBase64Url(r.attestationObject);
    response.transports = typeof r.getTransports === 'function' ? r.getTransports() : [];
  } else {
    response.authenticatorData = toBase64Url(r.authenticatorData);
    response.signature = toBase64Url(r.signature);
    if (r.userHandle) response.userHandle = toBase64Url(r.userHandle);
  }
  return JSON.stringify({
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment,
    clientExtensionResults: credential.getClientExtensionResults(),
    response,
  });
}

async function runCeremony(button) {
  const form = button.form;
  const status = form.querySelector('[data-passkey-status]');
  const say = (text) => { if (status) status.textContent = text || ''; };
  say('');
  if (!window.PublicKeyCredential || !navigator.credentials) {
    say(button.dataset.textUnsupported);
    return;
  }
  // The fields the ceremony needs first (a name for a new passkey) are checked by the browser, then by the server.
  if (button.dataset.passkey === 'create' && !form.reportValidity()) return;
  button.disabled = true;
  try {
    const body = new FormData(form);
    const response = await fetch(button.dataset.optionsUrl, {
      method: 'POST',
      body,
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => null);
      say(problem?.detail || button.dataset.textFailed);
      return;
    }
    const options = await response.json();
    const credential = button.dataset.passkey === 'create'
      ? await navigator.credentials.create({ publicKey: creationOptions(options) })
      : await navigator.credentials.get({ publicKey: requestOptions(options) });
    if (!credential) {
      say(button.dataset.textCancelled);
      return;
    }
    form.querySelector('[data-passkey-credential]').value = credentialJson(credential);
    form.submit();
  } catch (error) {
    // NotAllowedError: the person closed the prompt, or it timed out; InvalidStateError: this device already has one.
    const name = error && error.name;
    say(name === 'NotAllowedError' || name === 'AbortError' ? button.dataset.textCancelled
      : name === 'InvalidStateError' ? (button.dataset.textExists || button.dataset.textFailed)
        : button.dataset.textFailed);
  } finally {
    button.disabled = false;
  }
}

export function wirePasskeys(root) {
  root.querySelectorAll('button[data-passkey]').forEach((button) => {
    if (button.dataset.wired) return;
    button.dataset.wired = '1';
    button.addEventListener('click', () => runCeremony(button));
  });
}
