// Times written by the server in UTC, shown in the visitor's own zone and language.
import { dateTime } from "./format.js";

for (const time of document.querySelectorAll("time[data-local-time]")) {
  time.textContent = dateTime(time.getAttribute("datetime"));
}
