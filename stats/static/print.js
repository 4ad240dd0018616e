// The doctor's monthly statement: a button that opens the browser's print dialog (to paper or PDF).
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
