// The ticket page's service worker: shows the "your turn" Web Push messages, and brings the
// ticket page to the front when the notification is tapped.
self.addEventListener("push", (event) => {
  let body = "";
  try {
    body = event.data ? event.data.json().body : "";
  } catch {
    body = event.data ? event.data.text() : "";
  }
  event.waitUntil(self.registration.showNotification("Walk-in 7/7", {
    body,
    tag: "walkin-ticket",
    renotify: true,
    vibrate: [300, 100, 300, 100, 300],
    requireInteraction: true,
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil((async () => {
    const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const ticket = pages.find((page) => new URL(page.url).pathname.startsWith("/t/"));
    if (ticket) return ticket.focus();
    return undefined;
  })());
});
