// The landing page of the confirmation link: shows what the address's newest submission
// holds (GET /api/registrations/confirm), lets the owner correct it and confirm it (POST with
// every field as shown), or discard it ("Det er ikke mig", POST /api/registrations/discard).
// Opening the page changes nothing: mail scanners that open links act on nothing.
// The link's token is read from the address's fragment (#token=…, never sent to a server),
// else from its query (links mailed with ?token=…), kept in this tab's sessionStorage (so a
// reload works) and taken out of the address bar at once.
(function () {
  "use strict";
  var KEY = "bekraeft-tilmelding-token";
  var FIELDS = ["name", "phone", "role", "workplace", "member_number", "needs"];
  var confirmForm = document.getElementById("bekraeft");
  var discardForm = document.getElementById("ikke-mig");
  var about = document.getElementById("om-linket");
  var result = document.getElementById("resultat");
  var general = document.getElementById("fejl-formular");
  var outcomes = {
    confirmed: "Tak! Du har fået en plads. Vi har sendt en bekræftelse med en kalenderfil til din mail.",
    waitlisted: "Mødet er fuldt, så du står på ventelisten som nummer {waitlist_position}. Du får en mail, hvis du får en plads."
  };
  var standing = {
    confirmed: "Din tilmelding er allerede bekræftet, og du har en plads. Du har fået en bekræftelse på mail.",
    waitlisted: "Din tilmelding er allerede bekræftet. Du står på ventelisten som nummer {waitlist_position}."
  };

  function tokenFromAddress() {
    var fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    var query = new URLSearchParams(window.location.search);
    var found = fragment.get("token") || query.get("token");
    if (found) {
      try { window.sessionStorage.setItem(KEY, found); } catch (e) { /* private mode */ }
      window.history.replaceState(null, "", window.location.pathname);
      return found;
    }
    try { return window.sessionStorage.getItem(KEY) || ""; } catch (e) { return ""; }
  }

  var token = tokenFromAddress();
  // A link opened again in this tab changes only the fragment: read it as a new link.
  window.addEventListener("hashchange", function () {
    if (/token=/.test(window.location.hash)) { window.location.reload(); }
  });

  function say(text) { result.textContent = text; }

  function fill(template, answer) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return answer[key] === undefined ? "" : String(answer[key]);
    });
  }

  function finished(text) {
    confirmForm.hidden = true;
    discardForm.hidden = true;
    try { window.sessionStorage.removeItem(KEY); } catch (e) { /* private mode */ }
    say(text);
    result.focus();
  }

  function linkFailed() {
    confirmForm.hidden = true;
    discardForm.hidden = true;
    about.hidden = true;
    say("");
    document.getElementById("ugyldigt-link").hidden = false;
  }

  function field(name) { return confirmForm.elements.namedItem(name); }

  function showSession(answer) {
    about.textContent = "";
    var heading = document.createElement("h2");
    heading.textContent = answer.forum_title;
    var place = document.createElement("p");
    place.textContent = answer.city + (answer.venue ? ", " + answer.venue : "") + " – " +
      window.danskTid.span(answer.starts_at, answer.ends_at);
    about.appendChild(heading);
    about.appendChild(place);
  }

  function send(endpoint, body) {
    return fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.text().then(function (text) {
        var parsed = {};
        try { parsed = text ? JSON.parse(text) : {}; } catch (e) { parsed = {}; }
        return { ok: response.ok, status: response.status, body: parsed };
      });
    });
  }

  function refused(answer) {
    if (answer.body.code === "invalid_token") { linkFailed(); return; }
    if (answer.status === 429) { say("Der er travlt lige nu. Prøv igen om lidt."); return; }
    say(answer.body.message || "Det lykkedes ikke. Prøv igen om lidt.");
  }

  // -- field errors: the page's own checks first (the server's rules), then the API's 422 ---

  function clearErrors() {
    FIELDS.forEach(function (name) {
      field(name).removeAttribute("aria-invalid");
      document.getElementById("fejl-" + name).textContent = "";
    });
    general.textContent = "";
  }

  function showError(name, message) {
    var slot = document.getElementById("fejl-" + name) || general;
    if (slot.textContent) { return null; }
    slot.textContent = message;
    var el = FIELDS.indexOf(name) >= 0 ? field(name) : null;
    if (el) { el.setAttribute("aria-invalid", "true"); }
    return el;
  }

  function browserCheck(el) {
    var v = el.validity;
    if (v.valueMissing) { return el.getAttribute("data-missing") || "Feltet skal udfyldes."; }
    if (el.getAttribute("data-check") === "phone" && el.value.trim() !== "" &&
        window.lederChecks && window.lederChecks.phone(el.value.trim()) === false) {
      return "Indtast et gyldigt telefonnummer.";
    }
    if (v.valid) { return null; }
    if (v.tooLong) { return "Teksten er for lang (højst " + el.maxLength + " tegn)."; }
    if (v.patternMismatch) { return "Feltet har ikke den rigtige form."; }
    return "Værdien er ikke gyldig.";
  }

  if (!token) { linkFailed(); return; }

  fetch("/api/registrations/confirm?token=" + encodeURIComponent(token),
        { headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    })
    .then(function (answer) {
      if (!answer.ok) {
        if (answer.status === 400 || answer.status === 422) { linkFailed(); return; }
        about.textContent = "";
        say(answer.body.message || "Tilmeldingen kunne ikke hentes. Prøv igen om lidt.");
        return;
      }
      showSession(answer.body);
      if (answer.body.status !== "pending") {
        finished(fill(standing[answer.body.status] || "", answer.body));
        return;
      }
      var details = answer.body.details;
      document.getElementById("adresse").textContent = details.email;
      FIELDS.forEach(function (name) { field(name).value = details[name] || ""; });
      confirmForm.hidden = false;
      discardForm.hidden = false;
    })
    .catch(function () { say("Tilmeldingen kunne ikke hentes. Prøv igen om lidt."); });

  confirmForm.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    say("");
    var first = null;
    FIELDS.forEach(function (name) {
      var message = browserCheck(field(name));
      if (message) { first = first || showError(name, message); }
    });
    if (first) { first.focus(); return; }
    var body = { token: token };
    FIELDS.forEach(function (name) { body[name] = field(name).value.trim(); });
    var button = confirmForm.querySelector("button");
    button.disabled = true;
    say("Sender …");
    send("/api/registrations/confirm", body).then(function (answer) {
      button.disabled = false;
      if (answer.ok) { finished(fill(outcomes[answer.body.status] || "Din tilmelding er bekræftet.", answer.body)); return; }
      say("");
      if (answer.status === 422 && answer.body.errors) {
        var firstWrong = null;
        answer.body.errors.forEach(function (e) { firstWrong = firstWrong || showError(e.field, e.message); });
        say("Oplysningerne har fejl. Ret de markerede felter.");
        if (firstWrong) { firstWrong.focus(); }
        return;
      }
      refused(answer);
    }).catch(function () {
      button.disabled = false;
      say("Der skete en fejl. Tjek din forbindelse og prøv igen.");
    });
  });

  discardForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = discardForm.querySelector("button");
    button.disabled = true;
    say("Sender …");
    send("/api/registrations/discard", { token: token }).then(function (answer) {
      button.disabled = false;
      if (answer.ok) {
        finished("Oplysningerne er slettet. Der er ingen tilmelding med din mailadresse, og du skal ikke gøre mere.");
        return;
      }
      refused(answer);
    }).catch(function () {
      button.disabled = false;
      say("Der skete en fejl. Tjek din forbindelse og prøv igen.");
    });
  });
})();
