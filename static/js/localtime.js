// Online and hybrid events: the visitor's own time beside the group's, when their clock reads
// differently ("1:00 AM your time"). Pages are cached and shared by every visitor, so only the
// browser knows where its reader is; without JavaScript the group's time alone is shown.
// The server marks the <time> elements (events/templatetags/events.py event_when) and gives
// the label already translated in data-local-time.
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat || !Intl.DateTimeFormat.prototype.formatToParts) {
    return;
  }
  var times = document.querySelectorAll("time[datetime][data-local-time]");
  if (!times.length) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var language = document.documentElement.lang || undefined;
  var clock = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit"
  });

  // "2026-12-09T01:00": a moment's wall clock in the browser's zone, written as the
  // datetime attribute writes the group's.
  function wall(date) {
    var parts = {};
    clock.formatToParts(date).forEach(function (part) { parts[part.type] = part.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute;
  }

  function local(start, end, withDate) {
    var options = { timeZone: zone, hour: "numeric", minute: "2-digit" };
    if (withDate) {
      options.weekday = "short";
      options.month = "short";
      options.day = "numeric";
    }
    var format = new Intl.DateTimeFormat(language, options);
    if (end && format.formatRange) return format.formatRange(start, end);
    return format.format(start);
  }

  Array.prototype.forEach.call(times, function (time) {
    var value = time.getAttribute("datetime");
    var start = new Date(value);
    if (isNaN(start.getTime())) return;
    var theirs = wall(start);
    if (theirs === value.slice(0, 16)) return; // the same clock: nothing to add
    var endValue = time.getAttribute("data-ends-at");
    var end = endValue ? new Date(endValue) : null;
    if (end && isNaN(end.getTime())) end = null;
    var otherDay = theirs.slice(0, 10) !== value.slice(0, 10) ||
      (end && wall(end).slice(0, 10) !== theirs.slice(0, 10));
    var span = document.createElement("span");
    span.className = "local-time";
    span.textContent = " · " + time.getAttribute("data-local-time")
      .replace("%(time)s", local(start, end, otherDay));
    time.appendChild(span);
  });
})();
