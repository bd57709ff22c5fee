// The editor's area of the staff console: newsletter issues.
// Registers with the console (personale.js).
(function () {
  "use strict";
  var P = window.Personale;

  P.area("editor", {
    load: function () {},
    reset: function () {}
  });
}());
