// An HTMX form whose request fails without a form to show again (403, 404, 500, no network) says
// so beside it, instead of failing in the console only. A refused form (400, 422) comes back with
// the server's message and what was typed: htmx-config in base.html swaps it in place.
(() => {
  const message = document.currentScript?.dataset.message || "";
  const lineAfter = (form) => {
    const next = form.nextElementSibling;
    return next && next.hasAttribute("data-htmx-error") ? next : null;
  };
  const show = (event) => {
    const form = event.detail?.elt?.closest?.("form");
    if (!form || !form.isConnected) {
      return;
    }
    let line = lineAfter(form);
    if (!line) {
      line = document.createElement("p");
      line.className = "error-text small";
      line.setAttribute("role", "alert");
      line.setAttribute("data-htmx-error", "");
      form.after(line);
    }
    const status = event.detail.xhr?.status;
    line.textContent = status ? `${message} (${status})` : message;
  };
  document.addEventListener("htmx:responseError", show);
  document.addEventListener("htmx:sendError", show);
  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.detail?.elt?.closest?.("form");
    if (form) {
      lineAfter(form)?.remove();
    }
  });
})();
