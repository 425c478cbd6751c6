// "Copy link": puts the page's current address (which always holds the view) on the clipboard.
// The Clipboard API needs a secure context (https or localhost); elsewhere a hidden
// text area and execCommand("copy") do it, and failing both, the reader is told
// to copy the address bar.

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (_) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch (_) { ok = false; }
    area.remove();
    return ok;
  }
}

export default function (component) {
  const { parentElement } = component;
  const button = parentElement.querySelector("button");
  const status = parentElement.querySelector(".status");
  button.onclick = async () => {
    const url = window.location.href;
    const ok = await copy(url);
    button.dataset.copied = ok ? url : "";
    status.textContent = ok ? "Link copied" : "Copy the address bar to share";
    clearTimeout(button.__timer);
    button.__timer = setTimeout(() => { status.textContent = ""; }, 4000);
  };
}
