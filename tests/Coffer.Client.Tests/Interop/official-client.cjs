// Drives the official sentc client (sentc_wasm 0.15.0, installed by scripts/setup in tests/interop-node) for the
// interop tests: node official-client.cjs '<json command>' prints one JSON result line. NODE_PATH points at
// tests/interop-node/node_modules. Same Node shims as the vector generator's loader (the glue targets browsers).
"use strict";
const fs = require("fs");
if (typeof globalThis.window === "undefined") globalThis.window = globalThis;
if (typeof globalThis.Window === "undefined") {
	globalThis.Window = class Window { static [Symbol.hasInstance](o) { return o === globalThis; } };
}
const w = require("sentc_wasm");
w.initSync(fs.readFileSync(require.resolve("sentc_wasm/sentc_wasm_bg.wasm")));

async function get(cmd, path) {
	const res = await fetch(cmd.base_url + "/api/v1" + path, {
		headers: { "x-sentc-app-token": cmd.token, "Content-Type": "application/json" },
	});
	return await res.text();
}

async function main() {
	const cmd = JSON.parse(process.argv[2]);
	switch (cmd.op) {
		case "prepare_register":
			return { body: w.prepare_register(cmd.identifier, cmd.password) };
		case "done_register":
			return { user_id: w.done_register(cmd.server_output) };
		case "verify_public_key": {
			// What the JS SDK does: fetch the public key, then the verify key named by public_key_sig_key_id.
			const data = w.user_extract_public_key_data(await get(cmd, `/user/${cmd.user_id}/public_key`));
			const publicKey = data.get_public_key();
			const sigKeyId = data.get_public_key_sig_key_id();
			const verifyKey = w.user_extract_verify_key_data(await get(cmd, `/user/${cmd.user_id}/verify_key/${sigKeyId}`));
			return { verified: w.user_verify_user_public_key(verifyKey, publicKey), public_key: publicKey };
		}
		case "login": {
			const out = await w.login(cmd.base_url, cmd.token, cmd.identifier, cmd.password);
			return {
				user_id: out.get_id(),
				device_id: out.get_device_id(),
				mfa: out.get_mfa_master_key() !== undefined,
				user_keys: out.get_user_keys(),
			};
		}
		default:
			throw new Error("unknown op " + cmd.op);
	}
}

main().then(
	(result) => process.stdout.write(JSON.stringify(result) + "\n"),
	(error) => process.stdout.write(JSON.stringify({ error: String(error && error.message || error) }) + "\n"));
