// Screens paired before the display cookie kept their token in localStorage only. Such a
// screen is refused once after the upgrade: it hands its token over one last time (the page
// then sets the cookie and the token leaves the address bar) and forgets the stored copy.
const KEY = "walkin_display_token";
const stored = window.localStorage.getItem(KEY);
if (stored) {
  window.localStorage.removeItem(KEY);
  const params = new URLSearchParams(window.location.search);
  params.set("token", stored);
  window.location.replace(`${window.location.pathname}?${params}`);
}
