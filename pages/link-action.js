// Landing pages for links in emails: they say what the link will do and act only when the
// button is pressed, so mail scanners that open links change nothing.
(function () {
  "use strict";
  var form = document.querySelector("form[data-endpoint]");
  var result = document.getElementById("resultat");
  var explanation = document.getElementById("forklaring");
  var token = new URLSearchParams(window.location.search).get("token") || "";
  form.querySelector("input[name=token]").value = token;
  if (!token) {
    form.hidden = true;
    result.textContent = "Linket mangler sin kode. Brug linket fra din mail.";
    return;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    var endpoint = form.getAttribute("data-endpoint");
    var inQuery = form.getAttribute("data-token-in") === "query";
    var url = inQuery ? endpoint + "?token=" + encodeURIComponent(token) : endpoint;
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: inQuery ? "{}" : JSON.stringify({ token: token })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (answer.ok) {
        form.hidden = true;
        if (explanation) { explanation.hidden = true; }
        result.textContent = form.getAttribute("data-done");
      } else {
        button.disabled = false;
        result.textContent = answer.body.message || "Det lykkedes ikke. Prøv igen om lidt.";
      }
    }).catch(function () {
      button.disabled = false;
      result.textContent = "Der skete en fejl. Prøv igen om lidt.";
    });
  });
})();
