// Rich-text editing for the HTML fields (template bodies, a send's message, signatures, the
// predefined header and footer): every textarea[data-rich-editor] becomes a Jodit editor
// (static/vendor/jodit-*), with an HTML source view. The textarea stays the form field: it is
// kept in step on every change and whenever the form is read (submit, or the live preview's
// FormData), so the server receives what it always did and sanitizes it as before. Without this
// script (or without Jodit) the page is what it was: a plain textarea.
//
// data-rich-editor="lines" (signatures): Enter starts a new line (<br>) rather than a paragraph.
// Other scripts insert text at the editor's cursor by dispatching a cancelable
// "rich-editor:insert" event on the textarea (detail: the text); it is canceled once inserted.
(() => {
  const TOOLBAR = [
    "source", "|", "bold", "italic", "underline", "|", "ul", "ol", "|",
    "paragraph", "fontsize", "brush", "align", "|", "link", "table", "hr", "|",
    "undo", "redo", "eraser",
  ];

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  }

  function enhance(textarea) {
    const form = textarea.form;
    const label = form && form.querySelector(`label[for="${CSS.escape(textarea.id)}"]`);
    const editor = Jodit.make(textarea, {
      buttons: TOOLBAR,
      toolbarAdaptive: false,
      toolbarSticky: false,
      statusbar: false,
      // The source view is Jodit's own textarea: its default (Ace) and the HTML beautifier
      // would load scripts from a CDN, which our Content-Security-Policy refuses anyway.
      sourceEditor: "area",
      beautifyHTML: false,
      enter: textarea.dataset.richEditor === "lines" ? "BR" : "P",
      minHeight: textarea.classList.contains("tall") || textarea.closest(".tall") ? 320 : 160,
      height: "auto",
      // Email HTML is kept as written: no <b> to <strong>, no filling of empty paragraphs, no
      // wrapping of a bare {email_signature} in a paragraph. The server's allow-list cleans.
      // An editor emptied by hand is empty (not <p><br></p>): an empty signature is no signature.
      cleanHTML: {
        replaceOldTags: false,
        fillEmptyParagraph: false,
        collapseEmptyValueToEmptyString: true,
      },
      disablePlugins: ["wrap-nodes", "ai-assistant", "speech-recognize", "powered-by-jodit"],
      askBeforePasteHTML: false,
      askBeforePasteFromWord: false,
      defaultActionOnPaste: "insert_as_html",
      showPlaceholder: false,
      spellcheck: true,
      language: "en",
    });
    const area = editor.editor; // the contenteditable element
    if (editor.o.enter === "P") {
      // What Jodit's wrap-nodes plugin would do for an empty editor, without its wrapping of
      // every bare text on load: the first line typed is a paragraph like the next ones.
      editor.events.on("keydown", () => {
        if (area.firstChild) return;
        const paragraph = editor.createInside.element("p");
        const br = editor.createInside.element("br");
        paragraph.append(br);
        area.append(paragraph);
        editor.s.setCursorBefore(br);
      }, { top: true });
    }
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    if (label) {
      // The label now names (and focuses) the editor; the hidden textarea needs no name.
      label.id = label.id || `${textarea.id}-label`;
      area.setAttribute("aria-labelledby", label.id);
      label.removeAttribute("for");
      label.addEventListener("click", () => editor.s.focus());
    }
    const describedBy = textarea.getAttribute("aria-describedby");
    if (describedBy) area.setAttribute("aria-describedby", describedBy);
    if (textarea.getAttribute("aria-invalid")) area.setAttribute("aria-invalid", "true");

    function current() {
      // In the source view the text being typed is the truth (Jodit copies it back on a timer).
      if (editor.getRealMode() === Jodit.MODE_SOURCE) {
        const mirror = editor.container.querySelector(".jodit-source__mirror");
        if (mirror) return mirror.value;
      }
      return editor.value;
    }
    let last = textarea.value;
    function sync() {
      const value = current();
      textarea.value = value;
      if (value !== last) {
        last = value;
        // As if typed in the textarea: the live preview listens for input events.
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
    editor.events.on("change", sync);
    editor.events.on("afterSetMode", () => {
      const mirror = editor.container.querySelector(".jodit-source__mirror");
      if (mirror && label) mirror.setAttribute("aria-label", `${label.textContent.trim()} (HTML source)`);
    });
    // Other scripts follow the field's focus (e.g. where a merge field goes).
    editor.events.on("focus", () => textarea.dispatchEvent(new Event("focus")));
    if (form) {
      form.addEventListener("formdata", (event) => {
        if (textarea.name) event.formData.set(textarea.name, current());
      });
      form.addEventListener("submit", sync);
    }
    textarea.addEventListener("rich-editor:insert", (event) => {
      editor.s.insertHTML(escapeHtml(String(event.detail)));
      sync();
      event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (typeof Jodit === "undefined") return; // the plain textarea still works
    document.querySelectorAll("textarea[data-rich-editor]").forEach(enhance);
  });
})();
