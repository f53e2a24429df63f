// Keyboard shortcuts of the inbox, the composer's submit guard and the SLA countdown.
// Everything here is an extra: links and forms work the same without JavaScript.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function post(url, data) {
    var body = new URLSearchParams(data);
    // The redirect to the case page is not followed: following it rendered that page in the
    // background and used up its "Attribution enregistrée." meant for the list reloaded next.
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken() },
    });
  }

  function typing(target) {
    // A closed dialog may keep the focus until the browser's next focus fix-up: keys pressed
    // right after Escape must still move through the queue, so only an open dialog counts.
    return target.closest && target.closest("input, select, textarea, [contenteditable], dialog[open]");
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#inbox-results tr[data-case]"));
  }

  function currentRow() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("tr[data-case]") : null;
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = list.indexOf(currentRow());
    index = index < 0 ? 0 : Math.max(0, Math.min(list.length - 1, index + step));
    var link = list[index].querySelector("a.case-link");
    if (link) link.focus();
  }

  function help() {
    var dialog = document.getElementById("shortcuts-help");
    if (dialog && dialog.showModal && !dialog.open) dialog.showModal();
  }

  function act(row, kind) {
    var layout = document.querySelector("[data-me]");
    if (!row || !layout) return;
    // The layout carries the URLs of case 0; the row's id takes its place.
    var template = kind === "assign" ? layout.dataset.assignUrl : layout.dataset.statusUrl;
    if (!template) return;
    var url = template.replace("/0/", "/" + row.dataset.case + "/");
    var data = kind === "assign" ? { assignee: layout.dataset.me } : { status: "resolved" };
    post(url, data).then(function () {
      window.location.reload();
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    if (key === "?") {
      help();
    } else if (key === "/") {
      var search = document.querySelector("input[type=search][name=q]");
      if (!search) return;
      search.focus();
    } else if (!rows().length) {
      return;
    } else if (key === "j") {
      move(1);
    } else if (key === "k") {
      move(-1);
    } else if (key === "o" || key === "Enter") {
      var row = currentRow();
      var link = row && row.querySelector("a.case-link");
      if (!link) return;
      window.location.href = link.href;
    } else if (key === "a") {
      act(currentRow(), "assign");
    } else if (key === "e") {
      act(currentRow(), "close");
    } else if (key === "x") {
      var box = currentRow() && currentRow().querySelector("input[name=ids]");
      if (!box) return;
      box.checked = !box.checked;
    } else {
      return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcuts-help]")) help();
    var all = event.target.closest("[data-select-all]");
    if (all) {
      document.querySelectorAll("#inbox-results input[name=ids]").forEach(function (box) {
        box.checked = all.checked;
      });
    }
  });

  // The composer: "Envoyer" is disabled while the gate's findings leave something to do (the
  // server refuses it anyway), and the line beside it says what: a blocking problem to correct,
  // a warning to confirm, the reason for confirming them.
  function submitState() {
    var submit = document.getElementById("reply-submit");
    var findings = document.getElementById("reply-findings");
    if (!submit || !findings) return;
    var hint = document.getElementById("reply-submit-hint");
    var boxes = Array.prototype.slice.call(findings.querySelectorAll("input[name=overrides]"));
    var reason = findings.querySelector("input[name=override_reason]");
    var why = "";
    if (findings.querySelector("[data-blocked]")) {
      why = "blocked";
    } else if (boxes.some(function (box) { return !box.checked; })) {
      why = "confirm";
    } else if (boxes.length && reason && !reason.value.trim()) {
      why = "reason";
    }
    submit.disabled = !!why;
    if (hint) hint.textContent = why ? hint.dataset[why] || "" : "";
  }
  document.addEventListener("htmx:afterSwap", submitState);
  document.addEventListener("DOMContentLoaded", submitState);
  ["change", "input"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (event.target && event.target.closest && event.target.closest("#reply-findings")) submitState();
    });
  });

  // The composer remembers where the cursor is, so a snippet goes there (never after the
  // signature: the server moves it back), and tells the presence heartbeat when unsaved text
  // is being written.
  function rememberCursor(event) {
    if (!event.target || event.target.id !== "id_body") return;
    var cursor = document.getElementById("id_cursor");
    if (cursor) cursor.value = String(event.target.selectionStart);
    var writing = document.getElementById("presence-writing");
    if (writing) writing.value = event.target.value !== event.target.defaultValue ? "1" : "0";
  }
  ["keyup", "click", "input", "select"].forEach(function (name) {
    document.addEventListener(name, rememberCursor);
  });

  // "Renvoyer avec un commentaire" goes to the approval block and puts the cursor in its comment
  // box (the link alone only scrolled there).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-focus]");
    if (!link) return;
    var field = document.getElementById(link.dataset.focus);
    if (!field) return;
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  });

  // A suggested reply fills the reply box (the gate checks it as if typed).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-use-suggestion]");
    if (!button) return;
    var source = document.getElementById(button.dataset.useSuggestion);
    var body = document.getElementById("id_body");
    if (!source || !body) return;
    body.value = source.value;
    body.dispatchEvent(new Event("input", { bubbles: true }));
    body.dispatchEvent(new Event("keyup", { bubbles: true }));
    body.focus();
  });

  // Bulk actions that close cases or mark them as spam ask first, in the singular for one case
  // ("Clore les 1 dossiers cochés ?" was asked); with none ticked the server says to tick one.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.id !== "bulk-form") return;
    var action = form.querySelector("[name=action]");
    var option = action && action.selectedOptions ? action.selectedOptions[0] : null;
    var count = document.querySelectorAll("#inbox-results input[name=ids]:checked").length;
    if (!option || !option.dataset.confirm || !count) return;
    var question = count === 1 ? option.dataset.confirmOne : option.dataset.confirm;
    if (!window.confirm(question.replace("{n}", String(count)))) event.preventDefault();
  });

  // Buttons with data-confirm ask first: menu.js, loaded on every page.

  // The SLA countdown on the case page, refreshed every minute.
  function countdown() {
    document.querySelectorAll(".sla-countdown[data-due]").forEach(function (element) {
      var due = new Date(element.dataset.due);
      if (isNaN(due)) return;
      var minutes = Math.round((due - new Date()) / 60000);
      var late = minutes < 0;
      minutes = Math.abs(minutes);
      // "52 h 46" in French, "52h 46m" in English (the page's language).
      var english = (document.documentElement.lang || "").indexOf("en") === 0;
      var hours = Math.floor(minutes / 60);
      var rest = String(minutes % 60).padStart(2, "0");
      var text = english ? hours + "h " + rest + "m" : hours + " h " + rest;
      element.textContent = (late ? "−" : "") + text;
      element.classList.toggle("late", late);
    });
  }
  countdown();
  window.setInterval(countdown, 60000);
})();
