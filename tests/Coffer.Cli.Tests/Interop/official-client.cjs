// Drives the official client (sentc_wasm 0.15.0, installed by scripts/setup into tests/interop-node) against a
// running Coffer server. Usage: node official-client.cjs BASE_URL PUBLIC_TOKEN SECRET_TOKEN
// Prints one JSON object with the outcome of each step.
"use strict";
const fs = require("fs");
const path = require("path");

// The wasm-bindgen glue targets browsers: web_sys::window() checks `globalThis instanceof Window`, and the default
// init fetches the .wasm from a URL. Provide a window and pass the bytes directly.
globalThis.window = globalThis;
globalThis.Window = class Window { static [Symbol.hasInstance](o) { return o === globalThis; } };

const root = path.resolve(__dirname, process.env.COFFER_INTEROP_NODE || "../../interop-node", "node_modules", "sentc_wasm");
const w = require(path.join(root, "sentc_wasm.js"));
w.initSync(fs.readFileSync(path.join(root, "sentc_wasm_bg.wasm")));

const [base, publicToken, secretToken] = process.argv.slice(2);

async function step(fn) {
  try {
    return { ok: true, value: String(await fn()) };
  } catch (e) {
    return { ok: false, error: String(e) };
  }
}

(async () => {
  const result = {};
  result.register = await step(() => w.register(base, secretToken, "alice", "alice password ✓"));
  result.registerAgain = await step(() => w.register(base, secretToken, "alice", "other"));
  result.registerWithPublicToken = await step(() => w.register(base, publicToken, "bob", "bob"));
  result.registerDeviceStart = await step(() => w.register_device_start(base, publicToken, "alice-phone", "phone"));
  process.stdout.write(JSON.stringify(result) + "\n");
})();
