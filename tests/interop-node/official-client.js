// Loads the official sentc client (sentc_wasm 0.15.0, npm) into Node 20 and returns its exports.
//
// The package's wasm-bindgen glue is written for browsers, so two things are provided here:
//   - `window` / `Window`: the Rust side calls web_sys::window(), which evaluates `globalThis instanceof Window`;
//     without a Window constructor that is a ReferenceError and the process dies. In Node the global object plays
//     the window, and `window.fetch` is Node's own fetch (used by the functions that talk to a server).
//   - the module bytes: the default async init() fetches the .wasm from a file:// URL, which Node's fetch refuses,
//     so the bytes are read from disk and handed to initSync().
"use strict";

const fs = require("node:fs");

function loadOfficialClient() {
  if (globalThis.window === undefined) {
    globalThis.window = globalThis;
  }
  if (globalThis.Window === undefined) {
    globalThis.Window = class Window {
      static [Symbol.hasInstance](candidate) {
        return candidate === globalThis;
      }
    };
  }

  let packageDir;
  try {
    packageDir = require.resolve("sentc_wasm/package.json");
  } catch {
    throw new Error("sentc_wasm is not installed in tests/interop-node (run scripts/setup, which runs npm ci there)");
  }
  const client = require("sentc_wasm");
  client.initSync(fs.readFileSync(require.resolve("sentc_wasm/sentc_wasm_bg.wasm")));
  const version = JSON.parse(fs.readFileSync(packageDir, "utf8")).version;
  return { client, version };
}

module.exports = { loadOfficialClient };
