// Settings → Email: provider presets fill host, port and encryption; SMTP-only parts hide for
// Sendmail and Mail. The page works without this script; it only saves typing.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("email-settings");
  if (!form) return;
  const preset = form.querySelector("#preset");
  const note = form.querySelector("#preset-note");
  const protocol = form.querySelector("#protocol");
  const presets = JSON.parse(preset.dataset.presets || "[]");

  // What the server drew as chosen: a preset picked before this script ran is applied below.
  const rendered = [...preset.options].find((o) => o.defaultSelected) || preset.options[0];

  function applyPreset() {
    const chosen = presets.find((p) => p.key === preset.value);
    note.textContent = chosen ? chosen.note : "";
    if (!chosen) return;
    form.querySelector("#host").value = chosen.host;
    form.querySelector("#port").value = chosen.port;
    form.querySelector("#encryption").value = chosen.encryption;
    form.querySelector("#protocol").value = "smtp";
    const username = form.querySelector("#username");
    if (chosen.username_hint) username.placeholder = chosen.username_hint;
    toggleSmtp();
  }
  preset.addEventListener("change", applyPreset);

  function toggleSmtp() {
    const smtp = protocol.value === "smtp" || protocol.value.endsWith("_oauth");
    form.querySelectorAll(".smtp-only").forEach((el) => { el.hidden = !smtp; });
  }
  protocol.addEventListener("change", toggleSmtp);
  toggleSmtp();
  if (rendered && preset.value !== rendered.value) applyPreset();
});
