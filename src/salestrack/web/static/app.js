// Progressive enhancements; every page works without this file (forms post, tabs are links).
"use strict";

document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Focus the first field with an error (or the error summary) after a refused form.
function focusFirstError() {
  var errors = document.querySelector(".form-errors");
  if (errors) {
    var scope = errors.parentNode || document;
    var first = scope.querySelector("[aria-invalid='true']");
    (first || errors).focus();
  }
}

// Tabs: links that work without script; with it, switch in place (arrow keys move).
function setUpTabs() {
  document.querySelectorAll("[role='tablist']").forEach(function (list) {
    var tabs = Array.prototype.slice.call(list.querySelectorAll("[role='tab']"));
    function select(tab, focus) {
      tabs.forEach(function (other) {
        var on = other === tab;
        other.setAttribute("aria-selected", on ? "true" : "false");
        other.tabIndex = on ? 0 : -1;
        var panel = document.getElementById(other.getAttribute("aria-controls"));
        if (panel) { panel.hidden = !on; }
      });
      if (focus) { tab.focus(); }
      var url = new URL(window.location.href);
      url.searchParams.set("tab", tab.id.replace(/^tab-/, ""));
      url.searchParams.delete("done");
      window.history.replaceState(null, "", url.pathname + url.search + "#journey");
    }
    tabs.forEach(function (tab, index) {
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        select(tab, false);
      });
      tab.addEventListener("keydown", function (event) {
        var step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (step) {
          event.preventDefault();
          select(tabs[(index + step + tabs.length) % tabs.length], true);
        }
      });
    });
  });
}

// Lead picker: suggestions from /leads/suggest (same origin) into the datalist.
function setUpPicker() {
  var input = document.querySelector("input[data-suggest]");
  if (!input || !window.fetch) { return; }
  var list = document.getElementById(input.getAttribute("list"));
  var timer = null;
  var asked = "";
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var text = input.value.trim();
      if (!text || text === asked) { return; }
      asked = text;
      fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : { items: [] };
      }).then(function (data) {
        if (asked !== text) { return; }
        list.textContent = "";
        data.items.forEach(function (item) {
          var option = document.createElement("option");
          option.value = item.code;
          option.label = item.name + " (" + item.status + ")";
          option.textContent = item.name;
          list.appendChild(option);
        });
      }).catch(function () { /* suggestions are a nicety */ });
    }, 150);
  });
}

// Milestone form: visit details only for visits; "use my location" fills the coordinates.
function setUpMilestoneForm() {
  var form = document.getElementById("milestone-form");
  if (!form) { return; }
  var visits = JSON.parse(form.getAttribute("data-visit-types") || "[]");
  var type = form.querySelector("select[name='milestone_type']");
  var fieldset = form.querySelector("[data-visit-only]");
  function toggle() {
    var isVisit = visits.indexOf(type.value) !== -1;
    fieldset.hidden = !isVisit;
    fieldset.disabled = !isVisit;
  }
  type.addEventListener("change", toggle);
  toggle();

  var button = form.querySelector("[data-locate]");
  var status = form.querySelector("[data-locate-status]");
  if (!button || !navigator.geolocation) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "Finding your location…";
    navigator.geolocation.getCurrentPosition(function (position) {
      form.querySelector("input[name='location_latitude']").value = position.coords.latitude.toFixed(6);
      form.querySelector("input[name='location_longitude']").value = position.coords.longitude.toFixed(6);
      status.textContent = "Latitude and longitude filled in (accurate to about " +
        Math.round(position.coords.accuracy) + " m).";
    }, function (error) {
      status.textContent = "Could not get your location (" + error.message +
        "). Type the coordinates instead.";
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
}

// Engagement form: offer only the channels that fit the chosen type.
function setUpEngagementForm() {
  var form = document.getElementById("engagement-form");
  if (!form) { return; }
  var fits = JSON.parse(form.getAttribute("data-channels") || "{}");
  var type = form.querySelector("select[name='engagement_type']");
  var channel = form.querySelector("select[name='engagement_channel']");
  function filter() {
    var allowed = fits[type.value];
    Array.prototype.forEach.call(channel.options, function (option) {
      option.disabled = Boolean(option.value && allowed && allowed.indexOf(option.value) === -1);
    });
    if (allowed && allowed.indexOf(channel.value) === -1) {
      channel.value = allowed[0];
    }
  }
  type.addEventListener("change", filter);
  filter();
}

// The quotation builder: totals recalculated by the server as you type (the page's own
// "Recalculate" button does the same without JavaScript).
function setUpLiveTotals() {
  var form = document.querySelector("form[data-live-totals]");
  if (!form || !window.fetch) {
    return;
  }
  var url = form.getAttribute("data-live-totals");
  var timer = null;
  function show(answer) {
    form.querySelectorAll("[data-total]").forEach(function (cell) {
      var value = answer.totals ? answer.totals[cell.getAttribute("data-total")] : null;
      cell.textContent = value || "—";
    });
    form.querySelectorAll("[data-line-total]").forEach(function (cell) {
      var value = answer.lines ? answer.lines[cell.getAttribute("data-line-total")] : null;
      cell.textContent = value || "";
    });
  }
  function recalculate() {
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(show)
      .catch(function () { /* the Recalculate button still works */ });
  }
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(recalculate, 300);
  });
}

document.addEventListener("DOMContentLoaded", function () {
  setUpTabs();
  setUpLiveTotals();
  setUpPicker();
  setUpMilestoneForm();
  setUpEngagementForm();
  focusFirstError();
});
