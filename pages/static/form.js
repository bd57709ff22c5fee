// Sends a page's form to the public API and shows the answer: each field error next to its
// field, the outcome in the status line. The checks here are the server's rules (required,
// length, and e-mail and phone as shared/forms.py checks them) so people hear about them at
// once; tests/unit/test_contact_rules.py runs one table through both.
// Landing pages for links in emails use the same form: they act only when the button is
// pressed, so mail scanners that open links change nothing.

// The server's e-mail rule (email-validator without a DNS look-up): an ASCII dot-atom before
// the @; after it a domain name (international letters allowed, checked in its IDNA form)
// with a period, labels of letters, digits and hyphens, a top-level domain ending in a
// letter, and no special-use name.
// The phone rule (phonenumbers): digits with a leading + and separators, then a valid number
// by Google's numbering plans (libphonenumber-js, telefonnummer.js), Danish without a code.
window.lederChecks = (function () {
  "use strict";
  var LOCAL = /^[A-Za-z0-9_!#$%&'*+\/=?^`{|}~-]+(\.[A-Za-z0-9_!#$%&'*+\/=?^`{|}~-]+)*$/;
  var LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
  var NOT_IN_DOMAIN = /[\s@\/\\:?#%\[\]<>"',;()*&=+$!_~`{}|^]/;
  var SPECIAL_USE = ["arpa", "invalid", "local", "localhost", "onion", "test"];
  var PHONE_CHARACTERS = /^\(?\+?[0-9 ().\/-]{6,30}$/;

  function asciiDomain(domain) {
    if (!domain || NOT_IN_DOMAIN.test(domain)) { return null; }
    try { return new URL("http://" + domain + "/").hostname; } catch (e) { return null; }
  }

  function email(value) {
    var at = value.lastIndexOf("@");
    if (at < 1) { return false; }
    var local = value.slice(0, at);
    var domain = asciiDomain(value.slice(at + 1));
    if (!LOCAL.test(local) || !domain) { return false; }
    if (domain.length > 253 || (local + "@" + domain).length > 254) { return false; }
    var labels = domain.split(".");
    if (labels.length < 2) { return false; }
    for (var i = 0; i < labels.length; i++) {
      if (!LABEL.test(labels[i]) || /^(?!xn)..--/.test(labels[i])) { return false; }
    }
    if (!/[a-z]$/.test(domain)) { return false; }
    return !SPECIAL_USE.some(function (name) {
      return domain === name || domain.slice(-name.length - 1) === "." + name;
    });
  }

  // null when the numbering plans are not loaded (the server still decides).
  function phone(value) {
    if (!PHONE_CHARACTERS.test(value)) { return false; }
    var plans = window.libphonenumber;
    if (!plans) { return null; }
    var number = plans.parsePhoneNumberFromString(value, "DK");
    return Boolean(number && number.isValid());
  }

  return { email: email, phone: phone };
})();

(function () {
  "use strict";
  var form = document.querySelector("form[data-endpoint]");
  if (!form) { return; }
  var result = document.getElementById("resultat");
  var general = document.getElementById("fejl-formular");
  var explanation = document.getElementById("forklaring");
  var params = new URLSearchParams(window.location.search);
  var tokenIn = form.getAttribute("data-token-in");
  var token = tokenIn ? linkToken() : "";
  if (tokenIn) {
    // Another link to this page opened in this tab changes only the fragment, which runs no
    // script: read it afresh.
    window.addEventListener("hashchange", function () {
      if (/(^#|&)token=/.test(window.location.hash)) { window.location.reload(); }
    });
  }

  // The link's token: in the fragment (#token=…; a browser never sends a fragment, so no
  // access log or Referer holds it), or in the query for links mailed before. It is taken off
  // the address bar at once and kept for this tab only, so a reload still works and the
  // address, shared, bookmarked or in the history, carries no token.
  function linkToken() {
    var key = "token:" + window.location.pathname;
    var fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    var found = fragment.get("token") || params.get("token") || "";
    if (found) {
      params.delete("token");
      var rest = params.toString();
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", window.location.pathname + (rest ? "?" + rest : ""));
      }
      try { window.sessionStorage.setItem(key, found); } catch (e) { /* storage off */ }
      return found;
    }
    try { return window.sessionStorage.getItem(key) || ""; } catch (e) { return ""; }
  }
  var idempotencyKey = newKey();

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }

  function say(text) { result.textContent = text; }

  Array.prototype.forEach.call(form.querySelectorAll("input[data-from-query]"), function (input) {
    input.value = params.get(input.getAttribute("data-from-query")) || "";
  });
  var invalidLink = document.getElementById("ugyldigt-link");

  // A link that is invalid or has expired: say so, and what to do next (the page's text).
  function linkFailed() {
    form.hidden = true;
    if (explanation) { explanation.hidden = true; }
    var about = document.getElementById("om-linket");
    if (about) { about.hidden = true; }
    say("");
    if (invalidLink) { invalidLink.hidden = false; } else { say("Linket er ugyldigt eller udløbet."); }
  }

  if (tokenIn && !token) {
    linkFailed();
    return;
  }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) { return el.name; });
  }

  function errorSlot(name) { return document.getElementById("fejl-" + name); }

  function clearErrors() {
    fields().forEach(function (el) { el.removeAttribute("aria-invalid"); });
    Array.prototype.forEach.call(form.querySelectorAll(".fejl"), function (slot) {
      slot.textContent = "";
    });
  }

  function showError(name, message) {
    var slot = errorSlot(name) || general;
    if (slot.textContent) { return; }
    slot.textContent = message;
    var first = null;
    Array.prototype.forEach.call(form.querySelectorAll("[name='" + name + "']"), function (el) {
      el.setAttribute("aria-invalid", "true");
      first = first || el;
    });
    return first;
  }

  var checkMessages = { email: "Indtast en gyldig e-mailadresse.", phone: "Indtast et gyldigt telefonnummer." };

  function browserCheck(el) {
    var v = el.validity;
    var rule = el.getAttribute("data-check");
    if (v && v.valueMissing) { return el.getAttribute("data-missing") || "Feltet skal udfyldes."; }
    if (rule && el.value.trim() !== "") {
      // The server's rule, not the browser's own idea of an e-mail address.
      return window.lederChecks[rule](el.value.trim()) === false ? checkMessages[rule] : null;
    }
    if (!v || v.valid) { return null; }
    if (v.tooLong) { return "Teksten er for lang (højst " + el.maxLength + " tegn)."; }
    if (v.patternMismatch) { return el.getAttribute("data-pattern-message") || "Feltet har ikke den rigtige form."; }
    return "Værdien er ikke gyldig.";
  }

  // A landing page that names what its link is about before its button.
  var describe = form.getAttribute("data-describe");
  if (describe) {
    fetch(describe + "?token=" + encodeURIComponent(token), { headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 400 || r.status === 422) { return null; }
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      })
      .then(function (about) {
        if (!about) { linkFailed(); return; }
        var target = document.getElementById("om-linket");
        target.textContent = "";
        var heading = document.createElement("h2");
        heading.textContent = about.forum_title;
        var place = document.createElement("p");
        place.textContent = about.city + (about.venue ? ", " + about.venue : "") + " – " +
          window.danskTid.span(about.starts_at, about.ends_at);
        target.appendChild(heading);
        target.appendChild(place);
        form.hidden = false;
      })
      .catch(function () { say("Mødet kunne ikke hentes. Prøv igen om lidt."); });
  }

  function payload() {
    if (tokenIn === "body") { return { token: token }; }
    if (tokenIn === "query") { return {}; }
    var body = {};
    fields().forEach(function (el) {
      if (el.type === "checkbox") { body[el.name] = el.checked; return; }
      if (el.type === "radio" && !el.checked) { return; }
      var value = el.value.trim();
      if (value !== "") { body[el.name] = value; }
    });
    return body;
  }

  function fill(template, answer) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return answer[key] === undefined ? "" : String(answer[key]);
    });
  }

  function done(answer) {
    if (tokenIn) {
      try { window.sessionStorage.removeItem("token:" + window.location.pathname); } catch (e) { /* storage off */ }
    }
    var text = form.getAttribute("data-done-" + (answer.status || "")) || form.getAttribute("data-done");
    form.hidden = true;
    if (explanation) { explanation.hidden = true; }
    say(fill(text, answer));
    result.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    say("");
    var firstInvalid = null;
    fields().forEach(function (el) {
      var message = browserCheck(el);
      if (!message) { return; }
      var shown = showError(el.name, message);
      firstInvalid = firstInvalid || shown;
    });
    if (firstInvalid) { firstInvalid.focus(); return; }

    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say("Sender …");
    var endpoint = form.getAttribute("data-endpoint");
    var url = tokenIn === "query" ? endpoint + "?token=" + encodeURIComponent(token) : endpoint;
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json",
                 "Idempotency-Key": idempotencyKey },
      body: JSON.stringify(payload())
    }).then(function (response) {
      return response.text().then(function (text) {
        var body = {};
        try { body = text ? JSON.parse(text) : {}; } catch (e) { body = {}; }
        return { ok: response.ok, status: response.status, body: body };
      });
    }).then(function (answer) {
      button.disabled = false;
      if (answer.ok) { idempotencyKey = newKey(); done(answer.body); return; }
      say("");
      if (answer.status === 422 && answer.body.errors) {
        var first = null;
        answer.body.errors.forEach(function (e) {
          var el = showError(e.field, e.message);
          first = first || el;
        });
        say("Formularen har fejl. Ret de markerede felter.");
        if (first) { first.focus(); }
        return;
      }
      if (answer.status === 429) { say("Der er travlt lige nu. Prøv igen om lidt."); return; }
      if (tokenIn && answer.body.code === "invalid_token") { linkFailed(); return; }
      say(answer.body.message || "Det lykkedes ikke. Prøv igen om lidt.");
    }).catch(function () {
      button.disabled = false;
      say("Der skete en fejl. Tjek din forbindelse og prøv igen.");
    });
  });
})();
