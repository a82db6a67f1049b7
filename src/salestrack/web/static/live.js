// The live floor: keep this page's live regions current while it is open.
//
// A page that wants it loads this file with data attributes on the script element:
//   data-live-kinds="lead milestone follow_up"  only changes of these kinds (prefixes; none: all)
//   data-live-lead="<uuid>"                     only changes to this lead (and "many changes")
// Every element with data-live-region and an id is fetched again, from this very URL and
// through the same checks as any page load, when a change it cares about arrives on
// /live/events. Without JavaScript (or EventSource) the page is simply the page it was.
"use strict";

(function () {
  var script = document.currentScript;
  if (!script || !window.EventSource || !window.fetch || !window.DOMParser) { return; }
  var kinds = (script.getAttribute("data-live-kinds") || "").split(/\s+/).filter(Boolean);
  var lead = script.getAttribute("data-live-lead");
  var status = document.querySelector("[data-live-status]");
  var root = document.documentElement;
  var DEBOUNCE_MS = 150;
  var timer = null;
  var fetching = false;
  var again = false;
  var source = null;
  var retries = 0;  // new connections after the browser gave one up (a 503, a 401)

  function say(text) {
    if (status) {
      status.hidden = false;
      status.textContent = text;
    }
  }

  // Now, as a clock in the tenant's zone and language (the browser's if it lacks them).
  function clock() {
    var options = { hour: "2-digit", minute: "2-digit", second: "2-digit" };
    try {
      options.timeZone = status.getAttribute("data-zone") || undefined;
      return new Date().toLocaleTimeString(status.getAttribute("data-locale") || undefined, options);
    } catch (error) {
      return new Date().toLocaleTimeString();
    }
  }

  function count(name) {
    root.setAttribute(name, String(Number(root.getAttribute(name) || "0") + 1));
  }

  function wanted(change) {
    var many = change.kind === "bulk" || change.kind.indexOf("bulk.") === 0;
    if (lead && change.lead_id !== lead && !many) { return false; }
    if (!kinds.length || many) { return true; }
    return kinds.some(function (kind) {
      return change.kind === kind || change.kind.indexOf(kind + ".") === 0;
    });
  }

  // A region the user is working in (focus inside, or an opened form) waits for later.
  function busy(region) {
    var focused = document.activeElement;
    return (focused !== document.body && region.contains(focused)) ||
      region.querySelector("details[open]") !== null;
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var waiting = false;
    document.querySelectorAll("[data-live-region][id]").forEach(function (region) {
      var next = fresh.getElementById(region.id);
      if (!next) { return; }
      if (busy(region)) { waiting = true; return; }
      region.replaceWith(document.importNode(next, true));
    });
    return waiting;
  }

  function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.redirected || !response.ok) {
          throw new Error("page answered " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var waiting = swap(html);
        count("data-live-refreshes");
        say("Live · updated " + clock());
        if (waiting) { window.setTimeout(schedule, 3000); }
      })
      .catch(function () { say("Live updates paused: reload the page"); })
      .then(function () {
        fetching = false;
        if (again) { again = false; schedule(); }
      });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, DEBOUNCE_MS);
  }

  function connect() {
    source = new EventSource("/live/events");
    source.addEventListener("ready", function () {
      root.setAttribute("data-live", "on");
      say("Live");
      // A new connection has no Last-Event-ID to replay from: fetch what may have changed.
      if (retries) { retries = 0; schedule(); }
    });
    source.addEventListener("change", function (event) {
      var data = JSON.parse(event.data);
      count("data-live-changes");
      if (data.changes.some(wanted)) { schedule(); }
    });
    // Changes may have been missed (a reconnect too late to replay): fetch everything.
    source.addEventListener("reload", schedule);
    source.addEventListener("end", function (event) {
      source.close();
      root.setAttribute("data-live", "ended");
      say("Live updates stopped: " + JSON.parse(event.data).reason);
    });
    // The browser reconnects by itself after a dropped connection, but gives up on an
    // answer other than 200 (the server busy or stopping, the session gone): try again
    // later, waiting longer each time (5 s doubling to 5 minutes).
    source.addEventListener("error", function () {
      if (source.readyState !== EventSource.CLOSED) {
        say("Reconnecting…");
        return;
      }
      root.setAttribute("data-live", "off");
      say("Live updates off; trying again shortly");
      retries += 1;
      window.setTimeout(connect, Math.min(300, 5 * Math.pow(2, retries - 1)) * 1000);
    });
  }

  connect();
  window.addEventListener("pagehide", function () { if (source) { source.close(); } });
}());
