// Cancels only when the button is pressed: mail scanners that open the link cancel nothing.
(function () {
  "use strict";
  var token = new URLSearchParams(window.location.search).get("token") || "";
  var form = document.getElementById("afmeld");
  var result = document.getElementById("resultat");
  document.getElementById("token").value = token;
  if (!token) {
    form.hidden = true;
    result.textContent = "Linket mangler sin kode. Brug linket fra din bekræftelsesmail.";
    return;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch("/api/registrations/cancel", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ token: token })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (answer.ok) {
        form.hidden = true;
        document.getElementById("forklaring").hidden = true;
        result.textContent = "Du er nu afmeldt. Tak fordi du gav besked.";
      } else {
        button.disabled = false;
        result.textContent = answer.body.message || "Afmeldingen lykkedes ikke.";
      }
    }).catch(function () {
      button.disabled = false;
      result.textContent = "Der skete en fejl. Prøv igen om lidt.";
    });
  });
})();
