// Menus that fold on a phone: a <details data-fold-below="600" open> stays open on wider
// screens (and without JavaScript) and is closed at load on a screen narrower than that, so the
// page's content starts in the first screen. Choosing a link or pressing Escape folds it again.
(() => {
  const folding = () => document.querySelectorAll("details[data-fold-below]");
  const narrow = (details) => window.innerWidth <= Number(details.dataset.foldBelow || 0);
  const fold = () => {
    for (const details of folding()) {
      if (narrow(details)) {
        details.removeAttribute("open");
      } else {
        details.setAttribute("open", "");
      }
    }
  };
  document.addEventListener("DOMContentLoaded", fold);
  let wide = window.innerWidth;
  window.addEventListener("resize", () => {
    // Phones fire resize when the address bar hides: refold only when the width changes.
    if (window.innerWidth !== wide) {
      wide = window.innerWidth;
      fold();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") {
      return;
    }
    for (const details of folding()) {
      if (details.open && narrow(details)) {
        details.removeAttribute("open");
        details.querySelector("summary")?.focus();
      }
    }
  });
})();

// A button that does something irreversible (delete a comment on a platform, a group and its
// scheduled reports) asks first, on every page.
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("button[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
