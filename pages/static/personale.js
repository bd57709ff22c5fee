// The staff console (/personale/): sign-in against Cognito's own API (InitiateAuth with the
// password; a first-time new password; setting up TOTP with its key shown as text and as a QR
// code, and answering it; a forgotten password: ForgotPassword, then the emailed code with a
// new password, ConfirmForgotPassword), then the areas of the
// user's groups. The ID token goes to the staff API as a bearer token. Tokens are kept in
// this tab's sessionStorage only (never in an address, never in a cookie). The ID token lives
// five minutes and is renewed in the background with the refresh token (REFRESH_TOKEN_AUTH)
// a minute before it expires; a renewal Cognito refuses (signed out everywhere, removed,
// disabled) or signing out here ends the session. The refresh token lasts a working day
// (SESSION_HOURS from the sign-in): ten minutes before, the page warns; when the session ends
// (that time, or a renewal refused) the text being written in the areas' forms is kept in
// this script's memory (never in any browser storage) and put back after the same user
// signs in again. Each role's area is a script of its own (personale-<area>.js) that
// registers with Personale.area(group, {load, reset, keep?, resume?}).
(function () {
  "use strict";
  var STORE = "personale.session";
  var config = null;
  var pending = null; // a sign-in in progress: {username, session}
  var expiryTimer = null;
  var areas = {}; // group -> {load(), reset()}, registered by each area's script
  // Counts sign-outs: an answer to a request made before the last one is not shown (it
  // would put a person's data into a page nobody is signed in to).
  var generation = 0;

  var areaText = { secretariat: "Sekretariatet", editor: "Redaktøren", consultant: "Lederkonsulenten", privacy_officer: "Databeskyttelse", administrator: "Administrator" };
  var dateFormat = { format: function (date) { return window.danskTid.time(date); } }; // tid.js

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  // An e-mail address that may wrap after its @ and before each dot (<wbr>), never elsewhere
  // unless it is longer than a whole line (the style sheet's .adresse).
  function address(text) {
    var node = el("span", "adresse");
    var part = "";
    String(text || "").split("").forEach(function (letter) {
      if (letter === "." && part) { node.appendChild(document.createTextNode(part)); node.appendChild(el("wbr")); part = ""; }
      part += letter;
      if (letter === "@") { node.appendChild(document.createTextNode(part)); node.appendChild(el("wbr")); part = ""; }
    });
    if (part) { node.appendChild(document.createTextNode(part)); }
    return node;
  }

  // A table with its caption (text, or a node) and column headings; rows go in with add(),
  // which gives each cell its column's heading as data-label: on a phone the table is stacked
  // rows of "heading: value" (style.css). The ARIA roles keep it a table for screen readers
  // however it is displayed (some browsers drop a table's roles when it is display: block).
  function table(className, caption, headings) {
    var node = el("table", className);
    node.setAttribute("role", "table");
    var title = el("caption");
    title.appendChild(typeof caption === "string" ? document.createTextNode(caption) : caption);
    node.appendChild(title);
    var head = el("tr");
    head.setAttribute("role", "row");
    headings.forEach(function (text) {
      var cell = el("th", "", text);
      cell.scope = "col";
      cell.setAttribute("role", "columnheader");
      head.appendChild(cell);
    });
    var thead = el("thead");
    thead.setAttribute("role", "rowgroup");
    thead.appendChild(head);
    node.appendChild(thead);
    var body = el("tbody");
    body.setAttribute("role", "rowgroup");
    node.appendChild(body);
    function add(row) {
      row.setAttribute("role", "row");
      Array.prototype.forEach.call(row.children, function (cell, index) {
        var header = cell.tagName === "TH";
        cell.setAttribute("role", header ? "rowheader" : "cell");
        if (!header && headings[index]) { cell.setAttribute("data-label", headings[index]); }
      });
      body.appendChild(row);
      return row;
    }
    return { table: node, body: body, add: add };
  }

  function action(text, label, handler) {
    var button = el("button", "sekundaer", text);
    button.type = "button";
    button.setAttribute("aria-label", label);
    button.addEventListener("click", handler);
    return button;
  }

  function show(id) {
    ["log-ind", "glemt", "ny-adgangskode", "mfa-opsaetning", "mfa", "konsol"].forEach(function (section) {
      $(section).hidden = section !== id;
    });
    var first = $(id).querySelector("input");
    if (first) { first.focus(); }
  }

  function say(text) {
    var line = $("konsol-status");
    line.textContent = text || "";
    line.hidden = !text;
  }

  // -- the session --------------------------------------------------------------------------

  // Renewed this long before the ID token expires.
  var RENEW_BEFORE = 60 * 1000;
  var renewing = null; // the renewal under way: every request waits for the same one

  // The session kept in this tab: its tokens, whether or not the ID token is still valid
  // (an expired one is renewed with the refresh token).
  function kept() {
    try {
      var value = JSON.parse(sessionStorage.getItem(STORE) || "null");
      return value && value.idToken ? value : null;
    } catch (e) { return null; }
  }


  // `fresh`: tokens from signing in (a password, a code), not from a renewal: the working day
  // starts now.
  function keep(result, fresh) {
    var before = fresh ? null : kept();
    var value = { idToken: result.IdToken, accessToken: result.AccessToken, expiresAt: Date.now() + (result.ExpiresIn || 0) * 1000,
                  refreshToken: result.RefreshToken || (before && before.refreshToken) || null,
                  signedInAt: (before && before.signedInAt) || Date.now() };
    sessionStorage.setItem(STORE, JSON.stringify(value));
    return value;
  }

  // New ID and access tokens from the refresh token; Cognito refuses once the user signed out
  // everywhere (the refresh token is revoked), was removed or disabled: the session ends.
  function renew() {
    var value = kept();
    if (!value || !value.refreshToken || !config) { return Promise.reject(new Error("no refresh token")); }
    if (!renewing) {
      var made = generation;
      renewing = cognito("InitiateAuth", { AuthFlow: "REFRESH_TOKEN_AUTH", ClientId: config.clientId, AuthParameters: { REFRESH_TOKEN: value.refreshToken } })
        .then(function (answer) {
          if (made !== generation) { throw new Error("signed out"); }
          var session = keep(answer.AuthenticationResult || {});
          plan(session);
          return session;
        })
        .finally(function () { renewing = null; });
    }
    return renewing;
  }

  // A valid session: the one kept, or renewed when its ID token expires within a minute.
  function valid() {
    var value = kept();
    if (value && value.expiresAt - RENEW_BEFORE > Date.now()) { return Promise.resolve(value); }
    return renew();
  }

  function plan(session) {
    if (expiryTimer) { clearTimeout(expiryTimer); }
    expiryTimer = setTimeout(function () {
      renew().catch(function (error) {
        if (error.message !== "signed out") { endSession(ENDED); }
      });
    }, Math.max(session.expiresAt - RENEW_BEFORE - Date.now(), 0));
  }

  var ENDED = "Din session er udløbet, eller din adgang er ændret. Log ind igen.";

  // Passwords, codes and the TOTP key typed or shown while signing in leave the page.
  function forgetSignIn() {
    ["log-ind-form", "glemt-form", "ny-kode-form", "ny-adgangskode-form", "mfa-opsaetning-form", "mfa-form"].forEach(function (id) { $(id).reset(); });
    $("mfa-noegle").textContent = "";
    $("mfa-qr").textContent = "";
  }

  // `keepDrafts`: the session ended by itself (its time, a renewal refused), so what was
  // being written stays in memory for the same user; signing out ("Log ud") drops it.
  function signOut(message, keepDrafts) {
    var value = kept();
    generation += 1;
    sessionStorage.removeItem(STORE);
    if (expiryTimer) { clearTimeout(expiryTimer); expiryTimer = null; }
    stopWatching();
    if (!keepDrafts) { drafts = null; }
    if (value && value.accessToken && config) {
      if (keepDrafts) {
        // This tab's refresh token alone (the user's other sessions go on).
        if (value.refreshToken) { cognito("RevokeToken", { Token: value.refreshToken, ClientId: config.clientId }).catch(function () {}); }
      } else {
        // Ends the session at Cognito too (its tokens can no longer be refreshed).
        cognito("GlobalSignOut", { AccessToken: value.accessToken }).catch(function () {});
      }
    }
    Object.keys(areas).forEach(function (group) { if (areas[group].reset) { areas[group].reset(); } });
    clearTyped();
    $("bruger").textContent = "";
    $("omraader").textContent = "";
    pending = null;
    forgetSignIn();
    show("log-ind");
    say(message);
  }

  // -- a working day, and what is being written when it ends ------------------------------------

  // The refresh token lasts this long from signing in (REFRESH_HOURS in infra/staff.py; a unit
  // test keeps the two equal); the page warns WARN_BEFORE the end. The clock is looked at every
  // WATCH_EVERY, so a computer that slept past the time is caught up at once.
  var SESSION_HOURS = 12;
  var WARN_BEFORE = 10 * 60 * 1000;
  var WATCH_EVERY = 15 * 1000;
  var watching = null;
  var signedInAs = ""; // the address of the user signed in (shown in the sign-in form after)
  // What was being written when the session ended, kept in this variable only (never in
  // sessionStorage, localStorage or a cookie): {user (the ID token's sub), email, fields: {id:
  // text}, contexts: {group: what the area had open}}. Put back for the same user; dropped
  // when another user signs in, at "Log ud", and when the tab closes.
  var drafts = null;

  var TIME_UP = "Du er blevet logget ud, fordi der er gået " + SESSION_HOURS + " timer, siden du loggede ind. Log ind igen for at fortsætte.";
  var AGAIN = "Log ind igen for at fortsætte.";
  var KEPT = " Det, du var i gang med at skrive, bliver sat ind igen, når du logger ind.";
  var PUT_BACK = "Det, du var i gang med at skrive, er sat ind igen.";

  function endsAt(session) { return (session.signedInAt || Date.now()) + SESSION_HOURS * 3600 * 1000; }

  function stopWatching() {
    if (watching) { clearInterval(watching); watching = null; }
    $("udloeb").hidden = true;
  }

  function watch() {
    var session = kept();
    if (!session) { return; }
    var left = endsAt(session) - Date.now();
    if (left <= 0) { endSession(TIME_UP); return; }
    if (left <= WARN_BEFORE && $("udloeb").hidden) {
      $("udloeb-tekst").textContent = "Du bliver logget ud kl. " + window.danskTid.clock(new Date(endsAt(session))) +
        ". Gem det, du er i gang med, og log ind igen for at fortsætte.";
      $("udloeb").hidden = false;
    }
  }

  // The user an ID token names (its `sub`), read from the token the page holds.
  function userOf(session) {
    try {
      var part = session.idToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(part)).sub || null;
    } catch (e) { return null; }
  }

  // The areas' text fields: every textarea and text input with an id, never a password, a
  // one-time code or a key (the sign-in forms are outside the areas; a field marked
  // data-glem is left out as well).
  var TEXT_TYPES = ["text", "email", "tel", "search", "url", "textarea"];

  function textFields() {
    return Array.prototype.filter.call(document.querySelectorAll(".omraade textarea, .omraade input"), function (field) {
      var filled = field.getAttribute("autocomplete") || "";
      return field.id && TEXT_TYPES.indexOf(field.type) >= 0 && !/password|one-time-code/.test(filled) &&
        !field.hasAttribute("data-glem");
    });
  }

  // No text typed by one user stays in the page for the next.
  function clearTyped() { textFields().forEach(function (field) { field.value = field.defaultValue; }); }

  // The session ends by itself (its time, a renewal Cognito refuses, "Log ind igen nu"): what
  // is being written, and what each area had open, kept in memory for the same user.
  function endSession(message) {
    var session = kept();
    if (session && !$("konsol").hidden) {
      var user = userOf(session), fields = {}, contexts = {};
      textFields().forEach(function (field) {
        if (field.value.trim() && field.value !== field.defaultValue) { fields[field.id] = field.value; }
      });
      Object.keys(areas).forEach(function (group) {
        if (areas[group].keep && $(group) && !$(group).hidden) { contexts[group] = areas[group].keep(); }
      });
      if (drafts && drafts.user === user) { // still not put back from the time before
        fields = Object.assign({}, drafts.fields, fields);
        contexts = Object.assign({}, drafts.contexts, contexts);
      }
      drafts = { user: user, email: signedInAs, fields: fields, contexts: contexts };
    }
    var some = drafts && Object.keys(drafts.fields).length > 0;
    var email = drafts ? drafts.email : signedInAs;
    signOut(message + (some ? KEPT : ""), true);
    if (email) {
      $("email").value = email;
      $("adgangskode").focus();
    }
  }

  function labelOf(field) {
    var label = document.querySelector("label[for='" + field.id + "']");
    return label ? label.textContent.trim() : field.id;
  }

  // After the same user signed in again: each area loaded, what it had open reopened, then
  // every text put back where it was. A text whose form could not be opened again (the request
  // is no longer theirs, the session gone) is shown in the status line instead of lost.
  function putBack(restoring, loaded) {
    Promise.all(loaded.map(function (promise) {
      return promise.then(function (group) {
        var area = areas[group], context = restoring.contexts[group];
        return Promise.resolve(area.resume && context ? area.resume(context) : null)
          .catch(function () { return null; }).then(function () { return group; });
      }).catch(function () { return null; });
    })).then(function (groups) {
      if (drafts !== restoring) { return; } // signed out meanwhile: kept again, or dropped
      var missed = [];
      Object.keys(restoring.fields).forEach(function (id) {
        var field = $(id), area = field && field.closest(".omraade");
        if (!area || groups.indexOf(area.id) < 0) { return; }
        field.value = restoring.fields[id];
        field.dispatchEvent(new Event("input", { bubbles: true }));
        if (!field.getClientRects().length) { missed.push("»" + labelOf(field) + "«: " + restoring.fields[id]); }
      });
      drafts = null;
      if (!Object.keys(restoring.fields).length) { return; }
      say(PUT_BACK + (missed.length ? " Dette kunne ikke sættes ind, fordi det hører til noget, der ikke er åbent længere: " + missed.join("; ") : ""));
    });
  }

  // -- Cognito -------------------------------------------------------------------------------

  function cognito(target, body) {
    return fetch(config.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService." + target },
      body: JSON.stringify(body),
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.message || data.Message || "");
          error.code = String(data.__type || data.code || "").split("#").pop();
          throw error;
        }
        return data;
      });
    });
  }

  var cognitoErrors = {
    NotAuthorizedException: "Forkert e-mail eller adgangskode.",
    UserNotFoundException: "Forkert e-mail eller adgangskode.",
    InvalidPasswordException: "Adgangskoden opfylder ikke kravene: mindst 14 tegn med store og små bogstaver, tal og specialtegn.",
    CodeMismatchException: "Koden passer ikke. Prøv igen med den kode, appen viser nu.",
    EnableSoftwareTokenMFAException: "Koden passer ikke. Prøv igen med den kode, appen viser nu.",
    ExpiredCodeException: "Koden er udløbet. Prøv igen med den kode, appen viser nu.",
    PasswordResetRequiredException: "Din adgangskode skal nulstilles. Kontakt sekretariatet.",
    TooManyRequestsException: "For mange forsøg. Vent lidt, og prøv igen.",
    LimitExceededException: "For mange forsøg. Vent lidt, og prøv igen.",
    TooManyFailedAttemptsException: "For mange forsøg. Vent lidt, og prøv igen."
  };

  function failed(field) {
    return function (error) {
      if (error && error.code === "PasswordResetRequiredException" && pending) {
        var email = pending.email;
        pending = null;
        askForCode(email, "Din adgangskode er blevet nulstillet, og vi har sendt en kode til din e-mail. Skriv koden, og vælg en ny adgangskode.");
        return;
      }
      if (error && error.code === "NotAuthorizedException" && pending && /session/i.test(error.message)) {
        pending = null;
        show("log-ind");
        $("log-ind-fejl").textContent = "Det tog for lang tid. Log ind igen.";
        return;
      }
      $(field).textContent = (error && cognitoErrors[error.code]) || "Det lykkedes ikke. Prøv igen om lidt.";
    };
  }

  // Where the sign-in goes next: tokens, or the challenge Cognito asks for.
  function next(answer) {
    if (answer.AuthenticationResult) {
      pending = null;
      forgetSignIn();
      start(keep(answer.AuthenticationResult, true));
      return null;
    }
    pending.session = answer.Session;
    var parameters = answer.ChallengeParameters || {};
    if (parameters.USER_ID_FOR_SRP) { pending.username = parameters.USER_ID_FOR_SRP; }
    if (answer.ChallengeName === "NEW_PASSWORD_REQUIRED") { show("ny-adgangskode"); return null; }
    if (answer.ChallengeName === "SOFTWARE_TOKEN_MFA") { show("mfa"); return null; }
    if (answer.ChallengeName === "MFA_SETUP") {
      return cognito("AssociateSoftwareToken", { Session: pending.session }).then(function (setup) {
        pending.session = setup.Session;
        $("mfa-noegle").textContent = setup.SecretCode;
        drawQr($("mfa-qr"), totpUri(pending.email, setup.SecretCode));
        show("mfa-opsaetning");
      });
    }
    show("log-ind");
    $("log-ind-fejl").textContent = "Denne måde at logge ind på understøttes ikke. Kontakt sekretariatet.";
    return null;
  }

  // An app set up at the first sign-in is made the user's MFA (as Amplify does): Cognito may
  // otherwise leave it out of the user's MFA settings, and the administrator's list then shows
  // no app to reset when a phone is lost. Signing in goes on if this call fails.
  function markAppSetUp(answer) {
    var tokens = answer.AuthenticationResult;
    if (!tokens || !tokens.AccessToken) { return answer; }
    return cognito("SetUserMFAPreference", { AccessToken: tokens.AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } })
      .then(function () { return answer; }, function () { return answer; });
  }

  // The key as an authenticator app reads it from a QR code (Google's Key Uri Format): the
  // issuer and the address name the account in the app.
  var ISSUER = "Ledere af ledere";

  function totpUri(email, secret) {
    return "otpauth://totp/" + encodeURIComponent(ISSUER) + ":" + encodeURIComponent(email) +
      "?secret=" + encodeURIComponent(secret) + "&issuer=" + encodeURIComponent(ISSUER);
  }

  // The QR code drawn by the vendored qrcode-generator (qrkode.js) as SVG elements, one path
  // of dark modules inside a quiet zone of four: no inline style, no data: address (CSP).
  function drawQr(holder, uri) {
    holder.textContent = "";
    holder.setAttribute("data-uri", uri);
    if (typeof window.qrcode !== "function") { return; }
    var code = window.qrcode(0, "M");
    code.addData(uri);
    code.make();
    var count = code.getModuleCount(), size = count + 8, dark = [];
    for (var row = 0; row < count; row += 1) {
      for (var column = 0; column < count; column += 1) {
        if (code.isDark(row, column)) { dark.push("M" + (column + 4) + " " + (row + 4) + "h1v1h-1z"); }
      }
    }
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + size + " " + size);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "QR-kode med nøglen til din app");
    svg.setAttribute("shape-rendering", "crispEdges");
    var background = document.createElementNS(ns, "rect");
    background.setAttribute("width", String(size));
    background.setAttribute("height", String(size));
    background.setAttribute("fill", "#fff");
    var modules = document.createElementNS(ns, "path");
    modules.setAttribute("d", dark.join(""));
    modules.setAttribute("fill", "#000");
    svg.appendChild(background);
    svg.appendChild(modules);
    holder.appendChild(svg);
  }

  // -- a forgotten password (or one an administrator reset) ------------------------------------

  var forgotten = null; // the address a code was sent to

  var forgotErrors = {
    CodeMismatchException: "Koden passer ikke. Tjek koden i e-mailen, eller bed om en ny.",
    ExpiredCodeException: "Koden er udløbet. Bed om en ny kode.",
    InvalidPasswordException: cognitoErrors.InvalidPasswordException,
    LimitExceededException: cognitoErrors.LimitExceededException,
    TooManyRequestsException: cognitoErrors.TooManyRequestsException,
    TooManyFailedAttemptsException: cognitoErrors.TooManyFailedAttemptsException,
    InvalidParameterException: "Adgangskoden kan ikke nulstilles for denne bruger. Kontakt en administrator.",
    NotAuthorizedException: "Adgangskoden kan ikke nulstilles for denne bruger. Kontakt en administrator."
  };

  function forgotFailed(field) {
    return function (error) {
      $(field).textContent = (error && forgotErrors[error.code]) || "Det lykkedes ikke. Prøv igen om lidt.";
    };
  }

  // The second step: the emailed code and a new password. Cognito answers alike whether or not
  // the address belongs to a user (the app client hides who exists), and so does the page.
  function askForCode(email, message) {
    forgotten = email;
    $("glemt-form").hidden = true;
    $("ny-kode-form").hidden = false;
    $("ny-kode-besked").textContent = message;
    show("glemt");
    $("ny-kode").focus();
  }

  function sendCode(email) {
    return cognito("ForgotPassword", { ClientId: config.clientId, Username: email });
  }

  var CODE_SENT = "Hvis adressen hører til en bruger af personalesiderne, har vi sendt en kode til den. Skriv koden herunder, og vælg en ny adgangskode. Koden virker i en time.";

  function respond(challenge, responses) {
    responses.USERNAME = pending.username;
    return cognito("RespondToAuthChallenge", { ChallengeName: challenge, ClientId: config.clientId, Session: pending.session, ChallengeResponses: responses });
  }

  function busy(form, promise) {
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    return promise.then(function () { button.disabled = false; }, function () { button.disabled = false; });
  }

  function wireSignIn() {
    $("log-ind-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var email = $("email").value.trim(), password = $("adgangskode").value;
      $("log-ind-fejl").textContent = "";
      if (!email || !password) { $("log-ind-fejl").textContent = "Skriv din e-mail og din adgangskode."; return; }
      pending = { username: email, email: email, session: null };
      say("");
      busy(event.target, cognito("InitiateAuth", { AuthFlow: "USER_PASSWORD_AUTH", ClientId: config.clientId, AuthParameters: { USERNAME: email, PASSWORD: password } })
        .then(next).catch(failed("log-ind-fejl")));
    });
    $("ny-adgangskode-form").addEventListener("submit", function (event) {
      event.preventDefault();
      $("ny-adgangskode-fejl").textContent = "";
      if ($("ny").value !== $("gentag").value) { $("ny-adgangskode-fejl").textContent = "De to adgangskoder er ikke ens."; return; }
      busy(event.target, respond("NEW_PASSWORD_REQUIRED", { NEW_PASSWORD: $("ny").value })
        .then(next).catch(failed("ny-adgangskode-fejl")));
    });
    $("mfa-opsaetning-form").addEventListener("submit", function (event) {
      event.preventDefault();
      $("mfa-opsaetning-fejl").textContent = "";
      busy(event.target, cognito("VerifySoftwareToken", { Session: pending.session, UserCode: $("mfa-ny-kode").value.trim(), FriendlyDeviceName: "Personalesiderne" })
        .then(function (verified) {
          pending.session = verified.Session;
          return respond("MFA_SETUP", {});
        }).then(markAppSetUp).then(next).catch(failed("mfa-opsaetning-fejl")));
    });
    $("mfa-form").addEventListener("submit", function (event) {
      event.preventDefault();
      $("mfa-fejl").textContent = "";
      busy(event.target, respond("SOFTWARE_TOKEN_MFA", { SOFTWARE_TOKEN_MFA_CODE: $("mfa-kode").value.trim() })
        .then(next).catch(failed("mfa-fejl")));
    });
    $("glemt-start").addEventListener("click", function () {
      $("glemt-form").reset();
      $("glemt-form").hidden = false;
      $("ny-kode-form").hidden = true;
      $("glemt-email").value = $("email").value.trim();
      show("glemt");
    });
    $("glemt-tilbage").addEventListener("click", function () { show("log-ind"); });
    $("glemt-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var email = $("glemt-email").value.trim();
      $("glemt-fejl").textContent = "";
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) { $("glemt-fejl").textContent = "Skriv din e-mailadresse."; return; }
      busy(event.target, sendCode(email).then(function () { askForCode(email, CODE_SENT); })
        .catch(forgotFailed("glemt-fejl")));
    });
    $("ny-kode-igen").addEventListener("click", function () {
      $("ny-kode-fejl").textContent = "";
      sendCode(forgotten).then(function () { $("ny-kode-besked").textContent = "Vi har sendt en ny kode. " + CODE_SENT; })
        .catch(forgotFailed("ny-kode-fejl"));
    });
    $("ny-kode-form").addEventListener("input", function () { $("ny-kode-fejl").textContent = ""; });
    $("ny-kode-form").addEventListener("submit", function (event) {
      event.preventDefault();
      $("ny-kode-fejl").textContent = "";
      var code = $("ny-kode").value.trim(), chosen = $("ny-kode-adgangskode").value;
      if (!code) { $("ny-kode-fejl").textContent = "Skriv koden fra e-mailen."; return; }
      if (chosen !== $("ny-kode-gentag").value) { $("ny-kode-fejl").textContent = "De to adgangskoder er ikke ens."; return; }
      busy(event.target, cognito("ConfirmForgotPassword", { ClientId: config.clientId, Username: forgotten, ConfirmationCode: code, Password: chosen })
        .then(function () {
          var email = forgotten;
          forgotten = null;
          forgetSignIn();
          show("log-ind");
          $("email").value = email;
          $("adgangskode").focus();
          say("Din adgangskode er skiftet. Log ind med den nye.");
        }).catch(forgotFailed("ny-kode-fejl")));
    });
    $("log-ud").addEventListener("click", function () { signOut("Du er logget ud."); });
    $("log-ind-igen").addEventListener("click", function () { endSession(AGAIN); });
  }

  // -- the staff API ----------------------------------------------------------------------

  function api(method, path, body) {
    var made = generation, signedIn = Boolean(kept());
    return valid().catch(function () {
      // A call made while nobody is signed in (a timer left by a session already ended, an
      // autosave or a list's refresh) ends nothing: it would put the sign-in page back with
      // the last user's address while the next person types theirs.
      if (made === generation && signedIn) { endSession(ENDED); }
      throw new Error("signed out");
    }).then(function (session) {
      if (made !== generation) { throw new Error("signed out"); }
      var headers = { Authorization: "Bearer " + session.idToken };
      if (body !== undefined) { headers["Content-Type"] = "application/json"; }
      return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit", cache: "no-store" });
    }).then(function (response) {
      if (made !== generation) { throw new Error("signed out"); }
      if (response.status === 401) {
        endSession(ENDED);
        throw new Error("signed out");
      }
      response.generation = made;
      return response;
    });
  }

  // A write sent as the page is left (a draft not saved yet): at once, with the session's
  // token if it is still valid, and kept alive past the page; nobody waits for its answer.
  function leaving(method, path, body) {
    var session = kept();
    if (!session || session.expiresAt <= Date.now()) { return; }
    fetch(path, { method: method, headers: { Authorization: "Bearer " + session.idToken, "Content-Type": "application/json" }, body: JSON.stringify(body), credentials: "omit", cache: "no-store", keepalive: true });
  }

  // The body of an answer of this session: one read while the user signed out is dropped.
  function current(response, body) {
    return body.then(function (data) {
      if (response.generation !== generation) { throw new Error("signed out"); }
      return data;
    });
  }

  function blob(response) { return current(response, response.blob()); }

  function json(response) {
    return current(response, response.json().catch(function () { return {}; })).then(function (data) {
      if (!response.ok) {
        var error = new Error(data.message || "Det lykkedes ikke. Prøv igen om lidt.");
        error.fields = data.errors || [];
        error.code = data.code;
        throw error;
      }
      return data;
    });
  }

  // A file handed to the browser to keep, under this name (a link of the blob's own, gone
  // once used).
  function save(blob, filename) {
    var link = el("a");
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    return filename;
  }

  // An answer of the staff API kept as a file under the name it gives (Content-Disposition),
  // else `fallback`; resolves with that name. An error answer is refused as by json().
  function download(response, fallback) {
    if (!response.ok) { return json(response); }
    var named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    return blob(response).then(function (data) { return save(data, named ? named[1] : fallback); });
  }

  function start(session) {
    if (Date.now() >= endsAt(session)) { endSession(TIME_UP); return; }
    plan(session);
    watching = setInterval(watch, WATCH_EVERY);
    // What was being written when the session ended goes back to the same user only.
    var restoring = drafts && drafts.user === userOf(session) ? drafts : null;
    drafts = restoring;
    api("GET", "/api/staff/me").then(json).then(function (me) {
      $("bruger").textContent = "";
      $("bruger").appendChild(address(me.email));
      signedInAs = me.email;
      var menu = $("omraader");
      menu.textContent = "";
      document.querySelectorAll(".omraade").forEach(function (area) { area.hidden = true; });
      me.groups.forEach(function (group) {
        var item = el("li"), link = el("a", "", areaText[group] || group);
        link.href = "#" + group;
        item.appendChild(link);
        menu.appendChild(item);
        $(group).hidden = false;
      });
      $("ingen-omraader").hidden = me.groups.length > 0;
      show("konsol");
      $("konsol-overskrift").focus();
      watch();
      var loaded = me.groups.filter(function (group) { return areas[group]; }).map(function (group) {
        return Promise.resolve(areas[group].load(me)).then(function () { return group; });
      });
      if (restoring) { putBack(restoring, loaded); }
    }).catch(function (error) {
      if (error.message !== "signed out") { signOut("Det lykkedes ikke at hente dine oplysninger. Log ind igen.", true); }
    });
  }

  // -- start ----------------------------------------------------------------------------------

  // What every area's script uses: the signed-in API call, its JSON answer (an error carries
  // the API's message and per-field errors), the page's building blocks and the status line.
  function failedQuietly(report) {
    return function (error) { if (error && error.message !== "signed out") { report(error); } };
  }

  // A refused form's errors in its error line, each named by its field's label; the fields
  // marked invalid (`inputs`: the API's field name → the input's id) and the first focused.
  function showFieldErrors(error, inputs, line) {
    var messages = [], first = null;
    (error.fields || []).forEach(function (f) {
      var input = inputs[f.field] ? $(inputs[f.field]) : null;
      if (input) {
        input.setAttribute("aria-invalid", "true");
        first = first || input;
        messages.push(labelOf(input) + ": " + f.message);
      } else {
        messages.push(f.message);
      }
    });
    $(line).textContent = messages.length ? messages.join(" ") : error.message;
    if (first) { first.focus(); }
  }

  window.Personale = {
    area: function (group, handlers) { areas[group] = handlers; },
    api: api, json: json, blob: blob, el: el, table: table, address: address, say: say, busy: busy, action: action,
    failedQuietly: failedQuietly, showFieldErrors: showFieldErrors, dateFormat: dateFormat, $: $, save: save, download: download,
    leaving: leaving
  };

  wireSignIn();
  // The area scripts (deferred, after this one) have registered by the time the document is
  // parsed.
  document.addEventListener("DOMContentLoaded", function () {
    fetch("/personale/config.json", { cache: "no-store" }).then(function (response) {
      if (!response.ok) { throw new Error(); }
      return response.json();
    }).then(function (loaded) {
      config = loaded;
      // A kept session whose ID token expired is renewed first (start asks for a valid one).
      var session = kept();
      if (session && (session.expiresAt > Date.now() || session.refreshToken)) { start(session); } else { sessionStorage.removeItem(STORE); show("log-ind"); }
    }).catch(function () {
      say("Personalesiderne kan ikke logge ind lige nu. Prøv igen om lidt.");
    });
  });
}());
