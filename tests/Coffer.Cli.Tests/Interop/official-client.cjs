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
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, error: String(e) };
  }
}

// The SDK calls the OTP and public-key endpoints with plain fetch (no wasm function); so do we.
async function api(method, route, appToken, jwt) {
  const headers = { "x-sentc-app-token": appToken, "Content-Type": "application/json" };
  if (jwt) headers.Authorization = "Bearer " + jwt;
  const text = await (await fetch(base + "/api/v1" + route, { method, headers })).text();
  const body = JSON.parse(text);
  if (!body.status) throw new Error("server_" + body.err_code + ": " + body.err_msg);
  return { text, result: body.result };
}

// RFC 6238 with HMAC-SHA-256, 6 digits, 30 s (what validate_mfa checks), from the base32 secret.
function totp(base32Secret, stepOffset = 0) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of base32Secret.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + stepOffset));
  const mac = require("crypto").createHmac("sha256", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, "0");
}

function loginSummary(out) {
  return {
    userId: out.get_id(),
    deviceId: out.get_device_id(),
    jwt: out.get_jwt(),
    refreshToken: out.get_refresh_token(),
    userKeys: out.get_user_keys(),
    hmacKeys: out.get_hmac_keys(),
    mfa: out.get_mfa_master_key() !== undefined,
  };
}

(async () => {
  const result = {};
  const password = "alice password ✓";
  result.register = await step(() => w.register(base, secretToken, "alice", password));
  result.registerAgain = await step(() => w.register(base, secretToken, "alice", "other"));
  result.registerWithPublicToken = await step(() => w.register(base, publicToken, "bob", "bob"));

  // prepare_login, done_login, verify_login inside the wasm's login.
  const login = await step(async () => loginSummary(await w.login(base, publicToken, "alice", password)));
  result.login = login;
  result.wrongPassword = await step(() => w.login(base, publicToken, "alice", "wrong password"));
  result.unknownUser = await step(() => w.login(base, publicToken, "nobody", password));

  if (login.ok) {
    const { jwt, refreshToken, userId } = login.value;
    result.refreshJwt = await step(() => w.refresh_jwt(base, publicToken, jwt, refreshToken));
    result.initUser = await step(async () => {
      const init = await w.init_user(base, publicToken, jwt, refreshToken);
      return { jwt: init.get_jwt(), invites: init.get_invites() };
    });
    result.publicKey = await step(async () => {
      const data = w.user_extract_public_key_data((await api("GET", `/user/${userId}/public_key`, publicToken)).text);
      return { id: data.get_public_key_id(), key: data.get_public_key() };
    });

    // A second device: started on the new device, finished by the logged-in one with the user keys.
    result.registerDevice = await step(async () => {
      const started = await w.register_device_start(base, publicToken, "alice-phone", "phone password");
      const keys = login.value.userKeys.map((k) => k.group_key);
      const done = await w.register_device(base, publicToken, jwt, started, keys.length, "[" + keys.join(",") + "]");
      return { sessionId: done.get_session_id() ?? null };
    });
    result.deviceLogin = await step(async () => loginSummary(await w.login(base, publicToken, "alice-phone", "phone password")));

    // MFA: enable TOTP with a fresh JWT, then the wasm's login stops at "Otp" and mfa_login finishes it.
    result.mfaLogin = await step(async () => {
      const otp = (await api("PATCH", "/user/register_otp", publicToken, jwt)).result;
      const pre = await w.login(base, publicToken, "alice", password);
      if (pre.get_mfa_master_key() === undefined) throw new Error("login did not ask for MFA");
      const out = await w.mfa_login(base, publicToken, pre.get_mfa_master_key(), pre.get_mfa_auth_key(), "alice", totp(otp.secret), false);
      const recovered = await w.mfa_login(base, publicToken, pre.get_mfa_master_key(), pre.get_mfa_auth_key(), "alice", otp.recover[0], true);
      const reused = await step(() => w.mfa_login(base, publicToken, pre.get_mfa_master_key(), pre.get_mfa_auth_key(), "alice", otp.recover[0], true));
      // A code that is none of the three accepted ones (previous, current, next step).
      const accepted = [-1, 0, 1].map((o) => totp(otp.secret, o));
      let wrongCode = 0;
      while (accepted.includes(String(wrongCode).padStart(6, "0"))) wrongCode++;
      const wrong = await step(() => w.mfa_login(base, publicToken, pre.get_mfa_master_key(), pre.get_mfa_auth_key(), "alice", String(wrongCode).padStart(6, "0"), false));
      return { jwt: out.get_jwt(), recoveredJwt: recovered.get_jwt(), userKeys: out.get_user_keys().length, reused, wrong, secret: otp.secret };
    });

    // DELETE /user needs a fresh JWT (and the secret token by default); the user now has MFA, so with a TOTP.
    result.deleteUser = await step(async () => {
      const fresh = await w.get_fresh_jwt(base, secretToken, "alice-phone", "phone password", totp(result.mfaLogin.value.secret), false);
      await w.delete_user(base, secretToken, fresh);
      return "deleted";
    });
    result.loginAfterDelete = await step(() => w.login(base, publicToken, "alice", password));
  }

  process.stdout.write(JSON.stringify(result) + "\n");
})();
