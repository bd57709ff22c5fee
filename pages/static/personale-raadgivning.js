// The consultant's area of the staff console: the advisory queue.
// Registers with the console (personale.js).
(function () {
  "use strict";
  var P = window.Personale;

  P.area("consultant", {
    load: function () {},
    reset: function () {}
  });
}());
