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

// Groups, the way the JS SDK 0.15 drives the wasm: HTTP for the plain actions, the wasm for every key and ciphertext.
// Each command logs in first (the process keeps no state). Expected failures come back as {ok:false, failure}.
async function send(cmd, method, path, jwt, body) {
	const res = await fetch(cmd.base_url + "/api/v1" + path, {
		method,
		headers: { "x-sentc-app-token": cmd.token, "Content-Type": "application/json", Authorization: "Bearer " + jwt },
		body,
	});
	return await res.text();
}

function outcome(text) {
	const answer = JSON.parse(text);
	return answer.status ? { ok: true } : { ok: false, failure: "server_" + answer.err_code };
}

async function session(cmd) {
	const out = await w.login(cmd.base_url, cmd.token, cmd.identifier, cmd.password);
	return { jwt: out.get_jwt(), user_id: out.get_id(), keys: out.get_user_keys() };
}

async function openGroup(cmd, user) {
	const data = w.group_extract_group_data(await send(cmd, "GET", `/group/${cmd.group_id}`, user.jwt));
	const keys = data.get_keys().map((k) => {
		const userKey = user.keys.find((u) => u.group_key_id === k.private_key_id);
		const key = w.group_decrypt_key(userKey.private_key, k.key_data);
		return { id: key.get_group_key_id(), key: key.get_group_key() };
	});
	return { rank: data.get_rank(), keys, key_string: "[" + keys.map((k) => k.key).join(",") + "]" };
}

async function publicKey(cmd, userId) {
	return w.user_extract_public_key_data(await get(cmd, `/user/${userId}/public_key`)).get_public_key();
}

async function wasmCall(call) {
	try {
		return { ok: true, value: await call() };
	} catch (error) {
		return { ok: false, failure: String(error && error.message || error) };
	}
}

async function group(cmd) {
	const user = await session(cmd);
	switch (cmd.op) {
		case "group_create":
			return { group_id: await w.group_create_group(cmd.base_url, cmd.token, user.jwt, user.keys[0].public_key, undefined,
				cmd.sign ? user.keys[0].sign_key : undefined, user.user_id) };
		case "group_invite": {
			const g = await openGroup(cmd, user);
			const key = await publicKey(cmd, cmd.user_id);
			return await wasmCall(() => w.group_invite_user(cmd.base_url, cmd.token, user.jwt, cmd.group_id, cmd.user_id, g.keys.length,
				cmd.rank ?? undefined, cmd.admin_rank ?? g.rank, !!cmd.auto, false, false, key, g.key_string, undefined));
		}
		case "group_accept_join_req": {
			const g = await openGroup(cmd, user);
			const key = await publicKey(cmd, cmd.user_id);
			return await wasmCall(() => w.group_accept_join_req(cmd.base_url, cmd.token, user.jwt, cmd.group_id, cmd.user_id, g.keys.length,
				cmd.rank ?? undefined, g.rank, key, g.key_string, undefined));
		}
		case "group_accept_invite":
			return outcome(await send(cmd, "PATCH", `/group/${cmd.group_id}/invite`, user.jwt));
		case "group_join_req":
			return outcome(await send(cmd, "PATCH", `/group/${cmd.group_id}/join_req`, user.jwt));
		case "group_kick":
			return outcome(await send(cmd, "DELETE", `/group/${cmd.group_id}/kick/${cmd.user_id}`, user.jwt));
		case "group_fetch": {
			const text = await send(cmd, "GET", `/group/${cmd.group_id}`, user.jwt);
			const answer = outcome(text);
			return answer.ok ? { ok: true, rank: (await openGroup(cmd, user)).rank } : answer;
		}
		case "group_encrypt": {
			const g = await openGroup(cmd, user);
			return { data: w.encrypt_string_symmetric(g.keys[0].key, cmd.text, cmd.sign ? user.keys[0].sign_key : undefined) };
		}
		case "group_decrypt": {
			const g = await openGroup(cmd, user);
			const head = w.split_head_and_encrypted_string(cmd.data);
			const key = g.keys.find((k) => k.id === head.id);
			if (!key) return { error: "key required " + head.id };
			let verifyKey;
			if (cmd.signer) {
				verifyKey = w.user_extract_verify_key_data(await get(cmd, `/user/${cmd.signer}/verify_key/${head.sign.id}`));
			}
			return { text: w.decrypt_string_symmetric(key.key, cmd.data, verifyKey) };
		}
		default:
			throw new Error("unknown op " + cmd.op);
	}
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
			if (cmd.op.startsWith("group_")) return await group(cmd);
			throw new Error("unknown op " + cmd.op);
	}
}

main().then(
	(result) => process.stdout.write(JSON.stringify(result) + "\n"),
	(error) => process.stdout.write(JSON.stringify({ error: String(error && error.message || error) }) + "\n"));
