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

  document.addEventListener("htmx:responseError", function (event) {
    var form = event.target.closest && event.target.closest("form.autosave");
    if (form) setStatus(form, "⚠ Erreur du serveur — non enregistré, réessayez", "msg-error");
  });
})();
