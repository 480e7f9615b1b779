/* labelml — progressive enhancement only: every form works without this file.
   Shows the save state of autosaved forms and retries a save that the network dropped. */
(function () {
  "use strict";

  function statusOf(form) {
    return form && form.querySelector(".save-status");
  }

  function setStatus(form, text, kind) {
    var el = statusOf(form);
    if (!el) return;
    el.textContent = text;
    el.className = "save-status small" + (kind ? " " + kind : "");
  }

  function triggeringField(event) {
    var cfg = event.detail && event.detail.requestConfig;
    var trigger = (cfg && cfg.triggeringEvent) || event.detail.triggeringEvent;
    return trigger && trigger.target && trigger.target.dataset ? trigger.target : null;
  }

  // An autosave sends only the field that changed (its data-champ); the server then leaves the
  // other fields of the form alone.
  document.addEventListener("htmx:configRequest", function (event) {
    var field = triggeringField(event);
    if (field && field.dataset.champ && event.detail.elt.matches("form.autosave")) {
      event.detail.parameters.champ = field.dataset.champ;
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target.closest && event.target.closest("form.autosave");
    if (form) setStatus(form, "Enregistrement…", "muted");
  });

  // The network dropped: keep what was typed on screen, say so, and try again.
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.target.closest && event.target.closest("form.autosave");
    if (!form) return;
    setStatus(form, "⚠ Hors ligne — non enregistré, nouvel essai dans 5 s", "msg-error");
    var field = triggeringField(event);
    window.setTimeout(function () {
      if (field) field.dispatchEvent(new Event("change", { bubbles: true }));
    }, 5000);
  });

  // The session expired (labelml/accounts/sessions.py): the save was answered by the login page. Do not
  // put that page in the status; say what happened (audits/offline.js handles its own forms).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var cfg = event.detail.requestConfig;
    var xhr = event.detail.xhr;
    if (!cfg || cfg.auditSent || !xhr || !xhr.responseURL) return;
    var form = event.target.closest && event.target.closest("form.autosave");
    if (!form && cfg.elt && cfg.elt.closest) form = cfg.elt.closest("form.autosave");
    if (!form) return;
    var asked = new URL(cfg.path, window.location.href).pathname;
    if (new URL(xhr.responseURL).pathname === asked) return;
    event.detail.shouldSwap = false;
    setStatus(form, "⚠ Session expirée — reconnectez-vous : cette saisie n'est pas enregistrée", "msg-error");
  });

  document.addEventListener("htmx:responseError", function (event) {
    var form = event.target.closest && event.target.closest("form.autosave");
    if (form) setStatus(form, "⚠ Erreur du serveur — non enregistré, réessayez", "msg-error");
  });
})();
