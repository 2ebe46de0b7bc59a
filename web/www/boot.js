// Starts netsnap in the page: decodes the inlined wasm, compiles it once,
// imports the wasm-bindgen glue from a blob: URL, and mounts the yew UI
// with a function that starts analysis workers (the glue as a classic
// script + worker.js, also from a blob: URL) and posts them the compiled
// module. Nothing is fetched.
const byId = (id) => document.getElementById(id);

function fail(msg) {
  document.body.dataset.state = "error";
  let el = byId("error");
  if (!el) {
    el = document.createElement("div");
    el.id = "error";
    el.className = "error";
    el.setAttribute("role", "alert");
    byId("app").prepend(el);
  }
  el.textContent = msg;
  const booting = byId("booting");
  if (booting) booting.remove();
}

function base64Bytes(text) {
  const clean = text.replace(/\s+/g, "");
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(clean);
  const bin = atob(clean);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

// A file dropped outside the drop zone must not replace the page.
for (const type of ["dragover", "drop"]) {
  window.addEventListener(type, (e) => e.preventDefault());
}

try {
  if (typeof WebAssembly !== "object" || typeof Worker !== "function") {
    throw new Error("this browser has no WebAssembly or no Web Workers");
  }
  const glue = byId("netsnap-glue").textContent;
  const workerJs = byId("netsnap-worker").textContent; // classic glue + worker.js
  const module = await WebAssembly.compile(base64Bytes(byId("netsnap-wasm").textContent));
  const js = { type: "text/javascript" };
  const glueUrl = URL.createObjectURL(new Blob([glue], js));
  const workerUrl = URL.createObjectURL(new Blob([workerJs], js));
  const netsnap = await import(glueUrl);
  netsnap.initSync({ module });
  // The embeddable API (Snapshot, version) for the console and for tests.
  window.netsnap = netsnap;
  const makeWorker = () => {
    // A classic worker: Chromium refuses module workers from blob: URLs
    // made in a file:// page.
    const w = new Worker(workerUrl, { name: "netsnap-analyzer" });
    w.postMessage({ op: "init", module });
    return w;
  };
  const root = byId("app");
  root.textContent = "";
  netsnap.mountApp(root, makeWorker);
} catch (err) {
  fail(`netsnap could not start in this browser: ${(err && err.message) || err}`);
}
