// Web push: show what the server sent; a click opens the notifications inbox.
self.addEventListener('push', (event) => {
  const payload = event.data ? event.data.json() : { title: 'DevTinder', body: '' };
  event.waitUntil(self.registration.showNotification(payload.title, { body: payload.body, data: payload.data || {} }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow('/notifications'));
});
