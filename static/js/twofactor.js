// Passkeys (templates/mfa/, the login page). Each passkey button names its parts in data
// attributes: data-webauthn="login", "add" or "authenticate" (allauth's loginForm, addForm,
// authenticateForm in mfa/js/webauthn.js, which runs the ceremony), data-credential (the hidden
// field the browser's answer goes in), data-options (the JSON data block with the server's
// options) and data-passwordless (the "log in with it alone" checkbox). What needs WebAuthn is
// shown only where the browser has it and runs this script; the note that says so goes away.
(function () {
  if (!window.PublicKeyCredential || !window.allauth || !window.allauth.webauthn) return
  document.querySelectorAll('[data-webauthn]').forEach(function (button) {
    var kind = button.dataset.webauthn
    var ids = { credential: button.dataset.credential }
    ids[kind] = button.id
    if (button.dataset.options) ids.data = button.dataset.options
    if (button.dataset.passwordless) ids.passwordless = button.dataset.passwordless
    window.allauth.webauthn.forms[kind + 'Form']({ ids: ids })
  })
  document.querySelectorAll('[data-needs-webauthn]').forEach(function (element) { element.hidden = false })
  document.querySelectorAll('[data-without-webauthn]').forEach(function (element) { element.hidden = true })
})()
