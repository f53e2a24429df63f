// "Copy and open": copy a reply's text, then open the platform page where it is posted by hand.
// Delegated on the document so it also works on fragments swapped in by HTMX; loaded once.
(function () {
  if (window.vigieCopyOpen) return;
  window.vigieCopyOpen = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-from]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy-from"));
    var url = button.getAttribute("data-open-url");
    var open = function () {
      if (url && /^https?:\/\//i.test(url)) window.open(url, "_blank", "noopener,noreferrer");
    };
    if (!source) return open();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(open, function () { source.select(); document.execCommand("copy"); open(); });
    } else {
      source.select();
      document.execCommand("copy");
      open();
    }
  });
})();
