// Email template editor and send page: merge fields insert on click (in the subject or body,
// whichever had the focus last); the preview follows what is typed.
// Without this script the Preview button does the same with a page load.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("template-form");
  if (!form) return;
  const subject = form.querySelector("#subject");
  const body = form.querySelector("#body_html");
  // The field with the focus when this script starts (a quick typist), else the body.
  let target = document.activeElement === subject ? subject : body;
  [subject, body].forEach((el) => el.addEventListener("focus", () => { target = el; }));

  document.querySelectorAll(".merge-field").forEach((button) => {
    button.addEventListener("click", () => {
      const text = button.dataset.field;
      // The body's rich editor (static/js/rich_editor.js) inserts at its own cursor.
      const insert = new CustomEvent("rich-editor:insert", { detail: text, cancelable: true });
      if (!target.dispatchEvent(insert)) {
        schedule();
        return;
      }
      const start = target.selectionStart ?? target.value.length;
      const end = target.selectionEnd ?? start;
      target.value = target.value.slice(0, start) + text + target.value.slice(end);
      target.focus();
      target.selectionStart = target.selectionEnd = start + text.length;
      schedule();
    });
  });

  const frame = document.getElementById("preview-frame");
  let timer = null;
  let sequence = 0;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }
  async function refresh() {
    const mine = ++sequence;
    const response = await fetch(form.dataset.previewUrl, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
    });
    if (mine !== sequence || (!response.ok && response.status !== 400)) return;
    if (!(response.headers.get("content-type") || "").includes("json")) return;
    const data = await response.json();
    // 400: the form has errors; they are shown instead of a preview of invalid input.
    document.getElementById("preview-invalid").hidden = response.ok;
    document.getElementById("preview-body").hidden = !response.ok;
    if (response.ok) {
      document.getElementById("preview-subject").textContent = data.subject;
      document.getElementById("preview-from").textContent = data.sender;
      document.getElementById("preview-to").textContent = data.recipient;
      document.getElementById("preview-text").textContent = data.text;
      const problem = document.getElementById("preview-problem");
      problem.hidden = !data.problem;
      problem.querySelector("p").textContent = data.problem || "";
      frame.hidden = !data.html;
      frame.srcdoc = data.html || "";
      const missing = document.getElementById("preview-missing");
      missing.hidden = data.missing.length === 0;
      missing.querySelector("span").textContent = data.missing.join(", ");
    }
    showErrors(data.errors);
    form.dataset.previewed = String(mine);
  }
  function showErrors(errors) {
    form.querySelectorAll(".live-errors").forEach((el) => el.remove());
    for (const [name, messages] of Object.entries(errors)) {
      const field = form.querySelector(`#${name}`);
      if (!field) continue;
      const list = document.createElement("ul");
      list.className = "errors live-errors";
      messages.forEach((m) => { const li = document.createElement("li"); li.textContent = m; list.append(li); });
      // At the end of the field's block, as the server draws them (after a rich editor too).
      const block = field.closest(".field");
      if (block) block.append(list); else field.after(list);
    }
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
});
