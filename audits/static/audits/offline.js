/* labelml — the auditor's workspace keeps every finding typed during a network cut.

   Loaded only by the auditor's pages (extra_head), as a file: no inline script, no eval, no
   HTML built from strings (strict CSP). Progressive enhancement: without it, the forms post
   normally.

   Design
   - Saves are per field, as in the self-assessment: htmx posts the form of one finding (or of the
     report's global part) with `champ` = the field typed in and the object's `version`.
   - Drafts: as soon as a field is typed in, its value is kept in localStorage under
     "labelml.audit.v1:u<user>:d<dossier>:<target>:<champ>" (target = "constat-<pk>" or
     "audit-<pk>") with the version it was based on (`version`), the saved value it replaces
     (`base`), the save URL, the page and a timestamp. A draft is removed once the server holds
     exactly its value.
   - States: "pending" (htmx sends it shortly), "queued" (the network dropped: « hors ligne —
     sera envoyé »), "conflict" (the server has a newer value: shown, never overwritten),
     "rejected" (the server refused it, e.g. the report is now locked: the text stays visible).
   - Queued drafts are sent on the window "online" event, on page load and every 20 s while some
     remain: fetch POST with the CSRF token of the page, champ/valeur/version and the HX-Request
     header, so the server answers the same fragments as to htmx. One request at a time per
     object: htmx saves and queued sends of the same finding never race (a race would end in a
     false conflict against one's own text).
   - Versions: a finding has one version for its three fields. When one of our saves moves it
     from v to v+1, the other drafts of the same object typed on v are moved to v+1. On page
     load, and when a finding's block is re-rendered after a conflict (409), a draft whose
     version is the server's, or whose `base` is still the saved value of its field (only the
     version moved, through another field), is restored into the field and queued; otherwise
     the server's value stays in the field with the draft next to it and a choice: replace the
     saved value by the draft, or keep it.
   - While a block is replaced, the "change" its focused field fires on removal is not saved.
   - A banner counts the findings waiting to be sent and lists the conflicts and refusals (with
     the refused text, to copy, and a button to drop it). */
(function () {
  "use strict";

  var root = document.getElementById("audit-workspace");
  if (!root) return;

  var STORE = "labelml.audit.v1";
  var KEY_PREFIX = STORE + ":u" + root.dataset.user + ":d" + root.dataset.dossier + ":";
  var RETRY_MS = 20000;
  var SEND_TIMEOUT_MS = 20000;
  var OFFLINE_TEXT = "⚠ hors ligne — sera envoyé";
  var inflight = {}; // target -> {kind: "htmx" | "fetch", at}: one request at a time per object
  var flushing = false;
  var swapping = false; // a block is being replaced: its fields fire "change" as they go
  var handled = typeof WeakSet === "function" ? new WeakSet() : null;

  // --- storage ---------------------------------------------------------------------------------

  var storage = (function () {
    try {
      var probe = STORE + ":probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null; // private mode or disabled: htmx saves still work, without drafts
    }
  })();

  function busy(target) {
    var entry = inflight[target];
    // A request lost without any event (it cannot outlive its timeout) does not block for ever.
    return !!entry && Date.now() - entry.at < SEND_TIMEOUT_MS + 10000;
  }

  function setBusy(target, kind) {
    inflight[target] = { kind: kind, at: Date.now() };
  }

  function release(target, kind) {
    if (inflight[target] && inflight[target].kind === kind) delete inflight[target];
  }

  /** Replace a block without the "change" its focused field fires on removal becoming a save. */
  function replaceBlock(block, node) {
    swapping = true;
    try {
      block.replaceWith(node);
    } finally {
      swapping = false;
    }
  }

  function keyOf(target, champ) {
    return KEY_PREFIX + target + ":" + champ;
  }

  function readDraft(target, champ) {
    if (!storage) return null;
    try {
      var raw = storage.getItem(keyOf(target, champ));
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }

  function writeDraft(draft) {
    if (!storage) return;
    try {
      storage.setItem(keyOf(draft.target, draft.champ), JSON.stringify(draft));
    } catch (e) {
      // Quota exceeded: the text is still in the field and htmx keeps trying.
    }
  }

  function removeDraft(target, champ) {
    if (storage) storage.removeItem(keyOf(target, champ));
  }

  function allDrafts() {
    var out = [];
    if (!storage) return out;
    for (var i = 0; i < storage.length; i++) {
      var key = storage.key(i);
      if (key && key.indexOf(KEY_PREFIX) === 0) {
        try {
          var draft = JSON.parse(storage.getItem(key));
          if (draft && draft.target && draft.champ) out.push(draft);
        } catch (e) {
          /* ignore a damaged entry */
        }
      }
    }
    out.sort(function (a, b) {
      return (a.ts || 0) - (b.ts || 0);
    });
    return out;
  }

  function draftsOf(target) {
    return allDrafts().filter(function (d) {
      return d.target === target;
    });
  }

  // --- page helpers ----------------------------------------------------------------------------

  function norm(value) {
    return String(value == null ? "" : value).replace(/\r\n/g, "\n");
  }

  function formFor(target) {
    return document.querySelector('form.audit-autosave[data-target="' + target + '"]');
  }

  function fieldFor(target, champ) {
    var form = formFor(target);
    return form ? form.querySelector('[data-champ="' + champ + '"]') : null;
  }

  function editable(field) {
    return field && !field.disabled && !field.readOnly && field.closest("form[hx-post]");
  }

  function versionOf(target) {
    var input = document.getElementById("version-" + target);
    var value = input ? parseInt(input.value, 10) : NaN;
    return isNaN(value) ? null : value;
  }

  function setStatus(target, text, kind) {
    var el = document.getElementById("status-" + target);
    if (!el) return;
    el.textContent = text;
    el.className = "save-status small" + (kind ? " " + kind : "");
  }

  /** The value the server holds for a field, as last rendered or acknowledged. */
  function serverValue(field) {
    if (field.dataset.serverValue !== undefined) return field.dataset.serverValue;
    if (field.tagName === "SELECT") {
      for (var i = 0; i < field.options.length; i++) {
        if (field.options[i].defaultSelected) return field.options[i].value;
      }
      return "";
    }
    return norm(field.defaultValue);
  }

  function displayValue(field, value) {
    if (field && field.tagName === "SELECT") {
      for (var i = 0; i < field.options.length; i++) {
        if (field.options[i].value === value) return field.options[i].text;
      }
    }
    return value || "(vide)";
  }

  function csrfToken(target) {
    var form = target && formFor(target);
    var input =
      (form && form.querySelector("input[name=csrfmiddlewaretoken]")) ||
      document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function markField(target, champ, state) {
    var field = fieldFor(target, champ);
    if (!field) return;
    field.classList.toggle("draft-queued", state === "queued");
    field.classList.toggle("draft-conflict", state === "conflict" || state === "rejected");
  }

  function parseHtml(text) {
    return new DOMParser().parseFromString(text || "", "text/html");
  }

  function versionIn(doc) {
    var input = doc.querySelector("input[name=version][id^='version-']");
    var value = input ? parseInt(input.value, 10) : NaN;
    return isNaN(value) ? null : value;
  }

  /** Put the elements of a server fragment in place, by id (status, version, badges...). */
  function applyFragment(doc) {
    Array.prototype.slice.call(doc.body.children).forEach(function (node) {
      if (!node.id) return;
      var current = document.getElementById(node.id);
      if (!current) return;
      node.removeAttribute("hx-swap-oob");
      var fresh = document.importNode(node, true);
      replaceBlock(current, fresh);
      if (window.htmx) window.htmx.process(fresh);
    });
  }

  // --- drafts follow the typing -----------------------------------------------------------------

  function onEdit(event) {
    var field = event.target;
    if (!field || !field.dataset || !field.dataset.champ) return;
    var form = field.closest("form.audit-autosave");
    if (!form || !editable(field)) return;
    var target = form.dataset.target;
    var champ = field.dataset.champ;
    var draft = readDraft(target, champ);
    if (!draft || draft.state === "conflict" || draft.state === "rejected") {
      // A new draft, based on what the page shows as saved now.
      draft = {
        target: target,
        champ: champ,
        url: form.getAttribute("action"),
        page: window.location.pathname,
        label: form.dataset.label || "",
        version: versionOf(target),
        base: serverValue(field),
        state: "pending",
      };
      // A conflict box stays on screen (with the earlier text) until the person chooses.
    }
    draft.valeur = norm(field.value);
    draft.ts = Date.now();
    if (draft.state !== "queued") draft.state = "pending";
    if (draft.valeur === norm(serverValue(field)) && draft.version === versionOf(target)) {
      removeDraft(target, champ); // typed back to the saved value: nothing to keep
      markField(target, champ, null);
    } else {
      writeDraft(draft);
    }
    renderBanner();
  }

  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);

  // --- htmx saves ------------------------------------------------------------------------------

  function triggeringField(detail) {
    var cfg = detail.requestConfig || detail;
    var trigger = cfg.triggeringEvent || detail.triggeringEvent;
    return trigger && trigger.target && trigger.target.dataset ? trigger.target : null;
  }

  function auditForm(elt) {
    return elt && elt.matches && elt.matches("form.audit-autosave, form.audit-replace") ? elt : null;
  }

  // Send only the field typed in (its data-champ), and remember what was sent.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = auditForm(event.detail.elt);
    if (!form) return;
    var params = event.detail.parameters;
    var champ;
    if (form.classList.contains("audit-autosave")) {
      var field = triggeringField(event.detail);
      if (!field || !field.dataset.champ) return;
      champ = field.dataset.champ;
      params.champ = champ;
    } else {
      champ = form.dataset.champ;
    }
    event.detail.auditSent = {
      target: form.dataset.target,
      champ: champ,
      valeur: norm(params[champ]),
      version: parseInt(params.version, 10),
      replace: form.classList.contains("audit-replace"),
    };
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var sent = event.detail.requestConfig && event.detail.requestConfig.auditSent;
    if (!sent) return;
    if (swapping) {
      // The field is leaving the page with its block (conflict re-rendered): its draft stays.
      event.preventDefault();
      return;
    }
    var field = fieldFor(sent.target, sent.champ);
    if (!sent.replace && field && sent.valeur === norm(serverValue(field))) {
      // Nothing new for the server (e.g. "change" after the "input" save).
      var draft = readDraft(sent.target, sent.champ);
      if (draft && draft.state !== "conflict" && draft.state !== "rejected") {
        removeDraft(sent.target, sent.champ);
      }
      event.preventDefault();
      return;
    }
    if (busy(sent.target) || navigator.onLine === false) {
      // Another request for this finding is running (or we are offline): queue instead; the
      // queue sends it right after, on top of the new version.
      event.preventDefault();
      queue(sent.target, sent.champ, navigator.onLine === false);
      window.setTimeout(flush, 300);
      return;
    }
    setBusy(sent.target, "htmx");
    setStatus(sent.target, "Enregistrement…", "muted");
  });

  function sameResponsePath(xhr, requestPath) {
    if (!xhr.responseURL) return true;
    try {
      var got = new URL(xhr.responseURL, window.location.href).pathname;
      var asked = new URL(requestPath, window.location.href).pathname;
      return got === asked;
    } catch (e) {
      return true;
    }
  }

  // A save answered by the login page (session expired): do not swap it into the status.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var cfg = event.detail.requestConfig;
    if (!cfg || !cfg.auditSent) return;
    if (!sameResponsePath(event.detail.xhr, cfg.path)) {
      event.detail.shouldSwap = false;
      return;
    }
    // A conflict re-renders the whole block (outerHTML): its focused field fires "change" as it
    // is removed, which must not become a save of the old form.
    if (event.detail.shouldSwap && event.detail.xhr.status === 409) {
      swapping = true;
      window.setTimeout(function () {
        swapping = false;
      }, 0);
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var detail = event.detail;
    var sent = detail.requestConfig && detail.requestConfig.auditSent;
    var xhr = detail.xhr;
    if (!sent || !xhr) return;
    if (handled) {
      if (handled.has(xhr)) return; // fired again on a parent when the form was swapped
      handled.add(xhr);
    }
    release(sent.target, "htmx");
    swapping = false;
    if (!xhr.status) return; // network error: htmx:sendError follows
    if (!sameResponsePath(xhr, detail.requestConfig.path)) {
      queue(sent.target, sent.champ, false);
      setStatus(sent.target, "⚠ Session expirée : reconnectez-vous ; votre saisie est conservée.", "msg-error");
      return;
    }
    if (xhr.status === 200) {
      var version = versionIn(parseHtml(xhr.responseText));
      if (version === null) return;
      acknowledge(sent.target, sent.champ, sent.valeur, sent.version, version);
      if (sent.replace) replaced(detail.requestConfig.elt, sent);
    } else if (xhr.status === 409) {
      // adopt() (on the swap) kept the conflict on screen, or found it was not one.
      if (conflictShown(sent.target, sent.champ)) setState(sent.target, sent.champ, "conflict");
    } else if (xhr.status >= 500) {
      queue(sent.target, sent.champ, false);
      setStatus(sent.target, "⚠ Serveur indisponible — sera envoyé", "offline");
    } else {
      reject(sent.target, sent.champ, messageOf(xhr.responseText, xhr.status));
    }
    renderBanner();
    if (hasQueued()) window.setTimeout(flush, 0);
  });

  function onNetworkError(event) {
    var sent = event.detail.requestConfig && event.detail.requestConfig.auditSent;
    if (!sent) return;
    release(sent.target, "htmx");
    queue(sent.target, sent.champ, true);
  }

  document.addEventListener("htmx:sendError", onNetworkError);
  document.addEventListener("htmx:timeout", onNetworkError);
  document.addEventListener("htmx:onLoadError", function (event) {
    var sent = event.detail.requestConfig && event.detail.requestConfig.auditSent;
    swapping = false;
    if (sent) release(sent.target, "htmx");
  });

  // A conflict block re-rendered by the server (409): put the drafts back into its fields.
  document.addEventListener("htmx:afterSwap", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.querySelector && elt.querySelector("form.audit-autosave")) adopt(elt);
  });

  // --- state changes ---------------------------------------------------------------------------

  function setState(target, champ, state, message) {
    var draft = readDraft(target, champ);
    if (!draft) return null;
    draft.state = state;
    if (message !== undefined) draft.message = message;
    writeDraft(draft);
    markField(target, champ, state);
    return draft;
  }

  function queue(target, champ, offline) {
    var draft = readDraft(target, champ);
    if (!draft) {
      var field = fieldFor(target, champ);
      var form = formFor(target);
      if (!field || !form) return;
      draft = {
        target: target,
        champ: champ,
        url: form.getAttribute("action"),
        page: window.location.pathname,
        label: form.dataset.label || "",
        version: versionOf(target),
        base: serverValue(field),
        valeur: norm(field.value),
        ts: Date.now(),
      };
    }
    if (draft.state === "conflict" || draft.state === "rejected") return;
    draft.state = "queued";
    writeDraft(draft);
    markField(target, champ, "queued");
    if (offline) setStatus(target, OFFLINE_TEXT, "offline");
    renderBanner();
  }

  function reject(target, champ, message) {
    setState(target, champ, "rejected", message);
    var field = fieldFor(target, champ);
    setStatus(
      target,
      "⚠ Non enregistré : " + message + (field && editable(field) ? " Votre saisie reste dans le champ." : " Votre saisie est conservée dans le bandeau ci-dessus."),
      "msg-error"
    );
  }

  /** Our save moved `target` from `oldVersion` to `newVersion` with `sent` in `champ`. */
  function acknowledge(target, champ, sent, oldVersion, newVersion) {
    var field = fieldFor(target, champ);
    if (field) field.dataset.serverValue = sent;
    var input = document.getElementById("version-" + target);
    if (input && versionOf(target) !== null && versionOf(target) < newVersion) {
      input.value = String(newVersion);
    }
    draftsOf(target).forEach(function (draft) {
      if (draft.champ === champ) {
        if (norm(draft.valeur) === sent) {
          removeDraft(target, champ);
          markField(target, champ, null);
          return;
        }
        // Typed further while the save was running: the rest is based on what we just saved.
        draft.version = newVersion;
        draft.base = sent;
        if (draft.state !== "queued") draft.state = "pending";
        writeDraft(draft);
      } else if (draft.version === oldVersion && draft.state !== "conflict") {
        draft.version = newVersion;
        writeDraft(draft);
      }
    });
    var rest = draftsOf(target).filter(function (d) {
      return d.state === "queued";
    });
    if (rest.length) setStatus(target, OFFLINE_TEXT, "offline");
  }

  /** "Remplacer par ma saisie" went through: the field shows the value now saved. */
  function replaced(form, sent) {
    var field = fieldFor(sent.target, sent.champ);
    if (field) {
      field.value = sent.valeur;
      field.dataset.serverValue = sent.valeur;
    }
    removeDraft(sent.target, sent.champ);
    markField(sent.target, sent.champ, null);
    removeConflictUi(sent.target, sent.champ, form);
  }

  function messageOf(text, status) {
    var doc = parseHtml(text);
    var el = doc.querySelector(".save-status, .msg-error, h1 + p, p");
    var message = el ? el.textContent.replace(/^\s*⚠\s*/, "").trim() : "";
    return message || "erreur " + status + ".";
  }

  // --- conflicts on screen ----------------------------------------------------------------------

  function conflictShown(target, champ) {
    var block = document.getElementById(target + "-block");
    return !!(block && block.querySelector('.conflict-row[data-champ="' + champ + '"]'));
  }

  function removeConflictUi(target, champ, fromElt) {
    var rows = [];
    var block = document.getElementById(target + "-block");
    if (fromElt && fromElt.closest) {
      var row = fromElt.closest(".conflict-row");
      if (row) rows.push(row);
    }
    if (block) {
      Array.prototype.slice
        .call(block.querySelectorAll('.conflict-row[data-champ="' + champ + '"]'))
        .forEach(function (r) {
          if (rows.indexOf(r) < 0) rows.push(r);
        });
    }
    rows.forEach(function (r) {
      var box = r.closest(".conflict");
      r.remove();
      if (box && !box.querySelector(".conflict-row")) box.remove();
    });
  }

  function button(text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn-secondary";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  /** A draft that could not be restored: the saved value stays in the field, the draft beside. */
  function showDraftConflict(field, draft) {
    var form = field.closest("form.audit-autosave");
    if (!form) return;
    removeConflictUi(draft.target, draft.champ);
    var box = document.createElement("div");
    box.className = "msg msg-error conflict";
    box.setAttribute("role", "alert");
    var row = document.createElement("div");
    row.className = "conflict-row";
    row.dataset.champ = draft.champ;
    var p1 = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = "Votre saisie n'a pas été envoyée";
    p1.appendChild(strong);
    p1.appendChild(
      document.createTextNode(
        " : une valeur plus récente a été enregistrée entre-temps (par exemple depuis un autre appareil) ; le formulaire la montre."
      )
    );
    var p2 = document.createElement("p");
    p2.appendChild(document.createTextNode("Votre saisie : "));
    var q = document.createElement("q");
    q.className = "mine";
    q.textContent = displayValue(field, draft.valeur);
    p2.appendChild(q);
    var actions = document.createElement("p");
    actions.appendChild(
      button("Remplacer par ma saisie", function () {
        var d = readDraft(draft.target, draft.champ) || draft;
        d.version = versionOf(draft.target);
        d.base = serverValue(field);
        d.state = "queued";
        writeDraft(d);
        field.value = d.valeur;
        markField(d.target, d.champ, "queued");
        box.remove();
        renderBanner();
        flush();
      })
    );
    actions.appendChild(document.createTextNode(" "));
    actions.appendChild(
      button("Garder la valeur enregistrée", function () {
        removeDraft(draft.target, draft.champ);
        markField(draft.target, draft.champ, null);
        box.remove();
        renderBanner();
      })
    );
    row.appendChild(p1);
    row.appendChild(p2);
    row.appendChild(actions);
    box.appendChild(row);
    form.parentNode.insertBefore(box, form);
    markField(draft.target, draft.champ, "conflict");
  }

  /** Reconcile the drafts with the fields a page (or a re-rendered block) shows. */
  function adopt(container) {
    // Server-rendered conflicts (409): offer to drop one's draft and keep the saved value.
    Array.prototype.slice
      .call(container.querySelectorAll('[data-action="discard-draft"]'))
      .forEach(function (b) {
        b.hidden = false;
        if (b.dataset.bound) return;
        b.dataset.bound = "1";
        b.addEventListener("click", function () {
          var form = b.closest("form.audit-replace");
          if (!form) return;
          removeDraft(form.dataset.target, form.dataset.champ);
          markField(form.dataset.target, form.dataset.champ, null);
          removeConflictUi(form.dataset.target, form.dataset.champ, b);
          renderBanner();
        });
      });
    Array.prototype.slice
      .call(container.querySelectorAll("form.audit-autosave"))
      .forEach(function (form) {
        var target = form.dataset.target;
        var current = versionOf(target);
        Array.prototype.slice.call(form.querySelectorAll("[data-champ]")).forEach(function (field) {
          var champ = field.dataset.champ;
          var draft = readDraft(target, champ);
          if (!draft) return;
          if (!editable(field)) {
            // Locked report: keep the text (in the banner), say it did not reach the server.
            reject(target, champ, draft.message || "le rapport n'accepte plus de modification.");
            return;
          }
          var saved = norm(serverValue(field));
          var serverRow = form.parentNode.querySelector('.conflict-row[data-champ="' + champ + '"]');
          if (norm(draft.valeur) === saved) {
            // The server already has it (e.g. the answer was lost on the way back).
            removeDraft(target, champ);
            if (serverRow) removeConflictUi(target, champ);
            markField(target, champ, null);
            return;
          }
          if (draft.version === current || norm(draft.base) === saved) {
            // The field still holds the value the draft was typed on (only the version moved,
            // e.g. through another field of the same finding): not a conflict, send it.
            if (serverRow) removeConflictUi(target, champ);
            draft.version = current;
            draft.base = saved;
            draft.state = "queued";
            writeDraft(draft);
            field.value = draft.valeur;
            markField(target, champ, "queued");
            if (navigator.onLine === false) setStatus(target, OFFLINE_TEXT, "offline");
            else setStatus(target, "Saisie conservée — envoi…", "muted");
          } else {
            setState(target, champ, "conflict");
            if (!serverRow) showDraftConflict(field, draft);
          }
        });
      });
    renderBanner();
  }

  // --- the queue -------------------------------------------------------------------------------

  function sendable() {
    return allDrafts().filter(function (d) {
      if (d.state === "queued") return true;
      // Typed on another page that was left before htmx sent it.
      return d.state === "pending" && !fieldFor(d.target, d.champ);
    });
  }

  function hasQueued() {
    return sendable().length > 0;
  }

  async function send(draft) {
    var field = fieldFor(draft.target, draft.champ);
    if (field) {
      var current = versionOf(draft.target);
      if (current !== null && current !== draft.version && norm(serverValue(field)) === norm(draft.base)) {
        draft.version = current; // only our own saves of other fields moved the version
        writeDraft(draft);
      }
    }
    var token = csrfToken(draft.target);
    if (!token) return "stop";
    var body = new URLSearchParams();
    body.set("csrfmiddlewaretoken", token);
    body.set("champ", draft.champ);
    body.set("version", String(draft.version));
    body.set(draft.champ, draft.valeur);
    setBusy(draft.target, "fetch");
    if (field) setStatus(draft.target, "Envoi de la saisie conservée…", "muted");
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, SEND_TIMEOUT_MS) : null;
    var response, text;
    try {
      response = await fetch(draft.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        signal: controller ? controller.signal : undefined,
        headers: {
          "HX-Request": "true",
          "HX-Current-URL": window.location.href,
          "X-CSRFToken": token,
        },
      });
      text = await response.text();
    } catch (e) {
      queue(draft.target, draft.champ, true);
      return "network";
    } finally {
      if (timer) window.clearTimeout(timer);
      release(draft.target, "fetch");
    }
    if (response.type === "opaqueredirect" || response.status === 0) {
      setStatus(draft.target, "⚠ Session expirée : reconnectez-vous ; votre saisie est conservée.", "msg-error");
      return "stop";
    }
    var doc = parseHtml(text);
    if (response.status === 200) {
      var version = versionIn(doc);
      if (version === null) return "stop";
      applyFragment(doc);
      acknowledge(draft.target, draft.champ, norm(draft.valeur), draft.version, version);
      return "ok";
    }
    if (response.status === 409) {
      setState(draft.target, draft.champ, "conflict");
      var selector = response.headers.get("HX-Retarget");
      var block = selector ? document.querySelector(selector) : null;
      var fresh = doc.body.firstElementChild;
      if (block && fresh) {
        var node = document.importNode(fresh, true);
        replaceBlock(block, node);
        if (window.htmx) window.htmx.process(node);
        adopt(node);
      }
      return "conflict";
    }
    if (response.status >= 500) {
      queue(draft.target, draft.champ, false);
      if (field) setStatus(draft.target, "⚠ Serveur indisponible — sera envoyé", "offline");
      return "network";
    }
    reject(draft.target, draft.champ, messageOf(text, response.status));
    return "rejected";
  }

  async function flush() {
    if (flushing || !storage) return;
    flushing = true;
    try {
      for (var round = 0; round < 100; round++) {
        var next = sendable().filter(function (d) {
          return !busy(d.target);
        })[0];
        if (!next) break;
        var outcome = await send(next);
        if (outcome === "network" || outcome === "stop") break;
      }
    } finally {
      flushing = false;
      renderBanner();
    }
  }

  // --- banner ----------------------------------------------------------------------------------

  function renderBanner() {
    var drafts = allDrafts();
    var waiting = {};
    var problems = [];
    drafts.forEach(function (d) {
      if (d.state === "queued" || (d.state === "pending" && !fieldFor(d.target, d.champ))) {
        waiting[d.target] = true;
      } else if (d.state === "conflict" || d.state === "rejected") {
        problems.push(d);
      }
    });
    Array.prototype.slice.call(document.querySelectorAll("[data-draft-for]")).forEach(function (el) {
      var target = el.getAttribute("data-draft-for");
      el.hidden = !drafts.some(function (d) {
        return d.target === target && d.state !== "pending";
      });
    });
    var banner = document.getElementById("offline-banner");
    if (!banner) return;
    var targets = Object.keys(waiting);
    var constats = targets.filter(function (t) {
      return t.indexOf("constat-") === 0;
    }).length;
    var parts = [];
    if (constats) parts.push(constats + (constats > 1 ? " constats" : " constat"));
    if (targets.length > constats) parts.push("le rapport global");
    var text = "";
    if (parts.length) {
      text =
        parts.join(" et ") +
        " en attente d'envoi" +
        (navigator.onLine === false
          ? " : hors ligne — sera envoyé au retour de la connexion."
          : " : envoi en cours ou au prochain essai.");
    } else if (navigator.onLine === false) {
      text = "Hors ligne : vos saisies sont conservées dans ce navigateur et seront envoyées au retour de la connexion.";
    }
    if (problems.length) {
      text += (text ? " " : "") + problems.length + (problems.length > 1 ? " saisies à revoir :" : " saisie à revoir :");
    }
    banner.dataset.count = String(targets.length);
    banner.querySelector(".offline-text").textContent = text;
    var list = banner.querySelector(".offline-list");
    while (list.firstChild) list.removeChild(list.firstChild);
    problems.forEach(function (d) {
      var li = document.createElement("li");
      var what = (d.label || "Saisie") + " : " + (d.state === "conflict" ? "conflit avec une valeur plus récente" : "non enregistrée (" + (d.message || "refusée") + ")");
      if (d.page && d.page !== window.location.pathname) {
        var a = document.createElement("a");
        a.href = d.page + (d.target.indexOf("audit-") === 0 ? "#global" : "#constat");
        a.textContent = what;
        li.appendChild(a);
      } else {
        li.textContent = what;
      }
      if (d.state === "rejected") {
        // The server will not take it: show the text so it can be copied, then let it go.
        var details = document.createElement("details");
        var summary = document.createElement("summary");
        summary.textContent = "Voir le texte";
        var pre = document.createElement("pre");
        pre.className = "draft-text";
        pre.textContent = d.valeur;
        details.appendChild(summary);
        details.appendChild(pre);
        li.appendChild(details);
        li.appendChild(
          button("Effacer ce brouillon", function () {
            removeDraft(d.target, d.champ);
            markField(d.target, d.champ, null);
            renderBanner();
          })
        );
      }
      list.appendChild(li);
    });
    banner.classList.toggle("has-conflicts", problems.length > 0);
    banner.hidden = !text;
  }

  // --- leaving with drafts not sent ---------------------------------------------------------------

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.action || form.action.indexOf("/logout") < 0) return;
    var waiting = sendable().length;
    if (
      waiting &&
      !window.confirm(
        (waiting > 1
          ? waiting + " saisies ne sont pas encore envoyées. Elles restent dans ce navigateur et partiront à votre prochaine connexion. Se déconnecter quand même ?"
          : "Une saisie n'est pas encore envoyée. Elle reste dans ce navigateur et partira à votre prochaine connexion. Se déconnecter quand même ?")
      )
    ) {
      event.preventDefault();
    }
  });

  // --- start ---------------------------------------------------------------------------------------

  window.addEventListener("online", function () {
    renderBanner();
    flush();
  });
  window.addEventListener("offline", renderBanner);
  window.setInterval(function () {
    if (hasQueued()) flush();
  }, RETRY_MS);
  adopt(document);
  flush();
})();
