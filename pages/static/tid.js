// Times as members and staff read them, in Danish time (Europe/Copenhagen), whatever the
// browser's own time zone: "tirsdag den 5. januar 2027 kl. 08.00". The same rules as
// shared/danish.py (danish_time, danish_date, danish_span), checked against the same table of
// cases: every page and the staff console write times with window.danskTid only.
(function () {
  "use strict";
  var MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
    "september", "oktober", "november", "december"];
  var WEEKDAYS = ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"];
  var HOUR = 3600 * 1000;
  var wall = new Intl.DateTimeFormat("en-US", {
    timeZone: "Europe/Copenhagen", year: "numeric", month: "numeric", day: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });

  function moment(value) { return value instanceof Date ? value : new Date(value); }

  // The wall clock in Copenhagen: {year, month, day, hour, minute} as numbers.
  function local(date) {
    var found = {};
    wall.formatToParts(date).forEach(function (part) {
      if (part.type !== "literal") { found[part.type] = Number(part.value); }
    });
    return found;
  }

  function same(a, b) {
    return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function clock(w) { return two(w.hour) + "." + two(w.minute); }

  // "søndag den 17. januar 2027"; without the weekday "17. januar 2027", without the year
  // "17. januar".
  function date(value, options) {
    var o = options || {};
    var w = local(moment(value));
    var day = w.day + ". " + MONTHS[w.month - 1] + (o.year === false ? "" : " " + w.year);
    if (o.weekday === false) { return day; }
    var weekday = WEEKDAYS[new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay()];
    return weekday + " den " + day;
  }

  // "tirsdag den 5. januar 2027 kl. 08.00" (or without the weekday); in the hour that comes
  // twice when summer time ends, which of the two: "(sommertid)" or "(vintertid)".
  function time(value, options) {
    if (value === null || value === undefined || value === "") { return "-"; }
    var at = moment(value);
    var w = local(at);
    var shown = date(at, options) + " kl. " + clock(w);
    if (same(local(new Date(at.getTime() + HOUR)), w)) { return shown + " (sommertid)"; }
    if (same(local(new Date(at.getTime() - HOUR)), w)) { return shown + " (vintertid)"; }
    return shown;
  }

  // A meeting: "søndag den 17. januar 2027 kl. 09.30–15.30"; over two days both named.
  function span(starts, ends) {
    var a = local(moment(starts)), b = local(moment(ends));
    if (a.year === b.year && a.month === b.month && a.day === b.day) {
      return time(starts) + "–" + clock(b);
    }
    return time(starts) + " til " + time(ends);
  }

  // The moment a Danish wall-clock time names ("2027-01-05", "08:00"), as a Date; null for a
  // time Danish time skips (the server says why). In the repeated hour, the first (summer).
  function fromWall(day, hhmm) {
    var d = day.split("-").map(Number), t = hhmm.split(":").map(Number);
    var wanted = { year: d[0], month: d[1], day: d[2], hour: t[0], minute: t[1] };
    var base = Date.UTC(d[0], d[1] - 1, d[2], t[0], t[1]);
    for (var offset = 2; offset >= 1; offset -= 1) {
      var candidate = new Date(base - offset * HOUR);
      if (same(local(candidate), wanted)) { return candidate; }
    }
    return null;
  }

  // The Danish wall clock alone: "17.42".
  function clockOf(value) { return clock(local(moment(value))); }

  window.danskTid = { time: time, date: date, span: span, fromWall: fromWall, clock: clockOf };
}());
