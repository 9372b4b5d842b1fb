// Encrypts every OPE-16 plaintext 0..65532 with the official client (sentc_wasm 0.15.0) under each key given on
// the command line (32 hex digits) and prints, per key, the SHA-256 of the ciphertexts written as little-endian
// u64s in plaintext order. Coffer's exhaustive test (tests/Coffer.Crypto.Tests/Sortable) recomputes the same digest.
// Set OPE_DUMP_DIR to also write each key's raw ciphertexts (ope-<key>.bin) there, for finding a first mismatch.
// Usage: node ope-exhaustive.js e6418f2a02d02a6b9978e590c89eef3a 000102030405060708090a0b0c0d0e0f ...
"use strict";
const crypto = require("crypto");
const fs = require("fs");

// The wasm-bindgen glue targets browsers: it tests `globalThis instanceof Window`, and its default init fetches
// the .wasm by URL. Give it a Window that matches globalThis, and the module bytes directly.
if (typeof globalThis.window === "undefined") globalThis.window = globalThis;
if (typeof globalThis.Window === "undefined") {
	globalThis.Window = class Window { static [Symbol.hasInstance](o) { return o === globalThis; } };
}
const sentc = require("sentc_wasm");
sentc.initSync(fs.readFileSync(require.resolve("sentc_wasm/sentc_wasm_bg.wasm")));

const result = [];
for (const keyHex of process.argv.slice(2)) {
	const keyJson = JSON.stringify({Ope16: {key: Buffer.from(keyHex, "hex").toString("base64"), key_id: "exhaustive"}});
	const out = Buffer.alloc(65533 * 8);
	const started = Date.now();
	for (let n = 0; n <= 65532; n++) {
		out.writeBigUInt64LE(sentc.sortable_encrypt_raw_number(keyJson, BigInt(n)), n * 8);
	}
	if (process.env.OPE_DUMP_DIR) fs.writeFileSync(`${process.env.OPE_DUMP_DIR}/ope-${keyHex}.bin`, out); // raw, for diffing
	result.push({
		key_hex: keyHex,
		plaintexts: "0..65532",
		digest: "SHA-256 of the ciphertexts as little-endian u64, in plaintext order",
		sha256_hex: crypto.createHash("sha256").update(out).digest("hex"),
		c_0: out.readBigUInt64LE(0).toString(),
		c_65532: out.readBigUInt64LE(65532 * 8).toString(),
		seconds: (Date.now() - started) / 1000,
	});
}
process.stdout.write(JSON.stringify({generator: "tests/interop-node/ope-exhaustive.js", sentc_wasm: "0.15.0", keys: result}, null, 1) + "\n");
