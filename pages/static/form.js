// Sends a page's form to the public API and shows the answer: each field error next to its
// field, the outcome in the status line. The checks here mirror the server's simple rules
// (required, e-mail, phone, length) so people hear about them at once; the server decides.
// Landing pages for links in emails use the same form: they act only when the button is
// pressed, so mail scanners that open links change nothing.
(function () {
  "use strict";
  var form = document.querySelector("form[data-endpoint]");
  if (!form) { return; }
  var result = document.getElementById("resultat");
  var general = document.getElementById("fejl-formular");
  var explanation = document.getElementById("forklaring");
  var params = new URLSearchParams(window.location.search);
  var tokenIn = form.getAttribute("data-token-in");
  var token = params.get("token") || "";
  var idempotencyKey = newKey();

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }

  function say(text) { result.textContent = text; }

  Array.prototype.forEach.call(form.querySelectorAll("input[data-from-query]"), function (input) {
    input.value = params.get(input.getAttribute("data-from-query")) || "";
  });
  if (tokenIn && !token) {
    form.hidden = true;
    say("Linket mangler sin kode. Brug linket fra din mail.");
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

  function browserCheck(el) {
    var v = el.validity;
    if (!v || v.valid) { return null; }
    if (v.valueMissing) { return el.getAttribute("data-missing") || "Feltet skal udfyldes."; }
    if (v.typeMismatch && el.type === "email") { return "Indtast en gyldig e-mailadresse."; }
    if (v.tooLong) { return "Teksten er for lang (højst " + el.maxLength + " tegn)."; }
    if (v.patternMismatch) { return el.getAttribute("data-pattern-message") || "Feltet har ikke den rigtige form."; }
    return "Værdien er ikke gyldig.";
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
      say(answer.body.message || "Det lykkedes ikke. Prøv igen om lidt.");
    }).catch(function () {
      button.disabled = false;
      say("Der skete en fejl. Tjek din forbindelse og prøv igen.");
    });
  });
})();
