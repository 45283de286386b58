// Settings → Email, Microsoft 365 / Google (OAuth): show the app registration fields, hide the
// password login, and fill host, port and encryption (they stay editable). Works without it.
// Loaded async: it never delays the page's other scripts (DOMContentLoaded waits for deferred
// scripts, not for this one).
function setUpOAuthFields() {
  const form = document.getElementById("email-settings");
  const app = document.getElementById("oauth-app");
  if (!form || !app) return;
  const protocol = form.querySelector("#protocol");
  const hosts = JSON.parse(app.dataset.oauthHosts || "{}");
  const login = form.querySelector("#username") && form.querySelector("#username").closest("fieldset");
  let last = protocol.value;

  function toggle() {
    const chosen = protocol.value;
    const oauth = chosen.endsWith("_oauth");
    app.hidden = !oauth;
    if (login && oauth) login.hidden = true;
    app.querySelectorAll(".microsoft-only").forEach((el) => { el.hidden = chosen !== "microsoft_oauth"; });
    app.querySelectorAll(".google-only").forEach((el) => { el.hidden = chosen !== "google_oauth"; });
  }
  protocol.addEventListener("change", () => {
    const fill = hosts[protocol.value];
    if (fill && protocol.value !== last) {
      form.querySelector("#host").value = fill[0];
      form.querySelector("#port").value = fill[1];
      form.querySelector("#encryption").value = fill[2];
    }
    last = protocol.value;
    setTimeout(toggle, 0); // after email_settings.js has shown the SMTP parts again
  });
  setTimeout(toggle, 0);
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", setUpOAuthFields);
} else {
  setUpOAuthFields();
}
