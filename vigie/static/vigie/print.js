// "Imprimer" buttons (data-print): a listener here, since the Content-Security-Policy forbids
// inline event handlers such as onclick="window.print()".
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (button) {
    window.print();
  }
});
