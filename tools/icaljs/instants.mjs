// Reads an iCalendar feed on stdin and prints, as JSON, what ical.js (Mozilla's parser, the one
// Thunderbird uses) makes of every VEVENT: UID -> {start, end, startZone, endZone, status,
// sequence, summary, description, location, categories, organizer, organizerName}, start and end
// as UTC ISO strings.
//
// Every VTIMEZONE in the feed is registered with ICAL.TimezoneService before any event is read,
// so times carrying a TZID are resolved with the feed's own zone definitions. A floating time
// (no TZID, no Z) would be read in this process's local zone; it is an error here instead.
//
//   node tools/icaljs/instants.mjs < calendar.ics
import { readFileSync } from "node:fs";

import ICAL from "ical.js";

function fail(message) {
  process.stderr.write(`instants.mjs: ${message}\n`);
  process.exit(1);
}

function instant(time, what, uid) {
  if (!time) {
    return { iso: null, zone: null };
  }
  const zone = time.zone ? time.zone.tzid : "floating";
  if (zone === "floating") {
    fail(`${what} of ${uid} is a floating time`);
  }
  return { iso: time.toJSDate().toISOString(), zone };
}

const text = readFileSync(0, "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
if (calendar.name !== "vcalendar") {
  fail(`expected a VCALENDAR, got ${calendar.name}`);
}

ICAL.TimezoneService.reset();
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
}

const events = {};
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  const uid = event.uid;
  if (!uid) {
    fail("a VEVENT has no UID");
  }
  if (uid in events) {
    fail(`UID ${uid} appears twice`);
  }
  const start = instant(event.startDate, "DTSTART", uid);
  const end = instant(event.endDate, "DTEND", uid);
  events[uid] = {
    start: start.iso,
    end: end.iso,
    startZone: start.zone,
    endZone: end.zone,
    status: vevent.getFirstPropertyValue("status"),
    sequence: event.sequence,
    summary: event.summary,
    description: event.description,
    location: event.location,
    categories: vevent.getAllProperties("categories").flatMap((prop) => prop.getValues()),
    organizer: event.organizer,
    organizerName: vevent.getFirstProperty("organizer")?.getParameter("cn") ?? null,
  };
}

process.stdout.write(`${JSON.stringify(events, null, 2)}\n`);
