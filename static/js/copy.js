// Copy buttons: <button data-copy="ID"> copies the value (or text) of element ID. Hidden until
// this script shows them, so a page without scripts offers no button that does nothing. The
// page gives the words in its language: data-copied, data-selected.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      const text = "value" in source ? source.value : source.textContent;
      const status = document.getElementById(`${button.dataset.copy}-copied`) ||
        document.getElementById("dkim-copied");
      try {
        await navigator.clipboard.writeText(text);
        if (status) status.textContent = button.dataset.copied || "Copied.";
      } catch {
        source.select?.();
        if (status) status.textContent = button.dataset.selected || "Selected: press Ctrl+C to copy.";
      }
    });
  }
});
