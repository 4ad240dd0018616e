// The printed slip: the button prints; opened with ?print=1 (from reception) it prints at once.
const button = document.getElementById("print");
button?.addEventListener("click", () => window.print());
if (new URLSearchParams(window.location.search).get("print") === "1") window.print();
