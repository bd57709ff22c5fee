// The privacy officer's area of the staff console: what is held, export, erase, audit.
// Registers with the console (personale.js).
(function () {
  "use strict";
  var P = window.Personale;

  P.area("privacy_officer", {
    load: function () {},
    reset: function () {}
  });
}());
