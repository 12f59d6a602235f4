// Starts the page: loads the WebAssembly app by its fixed name. A file, not trunk's inline
// loader, because the production Content-Security-Policy forbids inline script.
import init from "/escalations-web.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
await init({ module_or_path: "/escalations-web_bg.wasm" });
