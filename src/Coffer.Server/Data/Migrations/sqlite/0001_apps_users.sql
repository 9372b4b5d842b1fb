-- SQLite variant of postgres/0001_apps_users.sql (same tables; SQLite accepts the type names).
-- Apps, JWT keys, users, devices, refresh tokens, login challenges, OTP codes, groups (as far as registration
-- and the user keys need them) and invites (read by POST /init). api.md §9.

CREATE TABLE app (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    public_token_hash TEXT NOT NULL UNIQUE,
    secret_token_hash TEXT NOT NULL UNIQUE,
    disabled_at BIGINT NULL,
    created_at BIGINT NOT NULL,
    max_key_rotation_month INTEGER NOT NULL DEFAULT 100,
    min_rank_key_rotation INTEGER NOT NULL DEFAULT 4
);

CREATE TABLE app_option (
    app_id TEXT NOT NULL REFERENCES app (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level IN (0, 1, 2)),
    PRIMARY KEY (app_id, name)
);

CREATE TABLE app_jwt_key (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES app (id) ON DELETE CASCADE,
    alg TEXT NOT NULL,
    sign_key_enc TEXT NOT NULL,
    verify_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX app_jwt_key_app ON app_jwt_key (app_id, created_at DESC);

CREATE TABLE grp (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES app (id) ON DELETE CASCADE,
    kind INTEGER NOT NULL,
    parent_id TEXT NULL REFERENCES grp (id) ON DELETE CASCADE,
    invite_open BOOLEAN NOT NULL,
    is_connected BOOLEAN NOT NULL,
    current_key_id TEXT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX grp_app ON grp (app_id);
CREATE INDEX grp_parent ON grp (parent_id, created_at, id);

CREATE TABLE app_user (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES app (id) ON DELETE CASCADE,
    user_group_id TEXT NULL REFERENCES grp (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    otp_secret_enc TEXT NULL,
    otp_alg TEXT NULL
);
CREATE INDEX app_user_app ON app_user (app_id);

CREATE TABLE device (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES app (id) ON DELETE CASCADE,
    user_id TEXT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    identifier_hash TEXT NOT NULL,
    registration_token_hash TEXT NULL,
    client_random_value TEXT NOT NULL,
    derived_alg TEXT NOT NULL,
    hashed_auth_key TEXT NOT NULL,
    master_key_alg TEXT NOT NULL,
    encrypted_master_key TEXT NOT NULL,
    encrypted_master_key_alg TEXT NOT NULL,
    public_key TEXT NOT NULL,
    encrypted_private_key TEXT NOT NULL,
    keypair_encrypt_alg TEXT NOT NULL,
    verify_key TEXT NOT NULL,
    encrypted_sign_key TEXT NOT NULL,
    keypair_sign_alg TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT device_identifier UNIQUE (app_id, identifier_hash),
    CONSTRAINT device_registration_token UNIQUE (app_id, registration_token_hash)
);
CREATE INDEX device_user ON device (user_id, created_at, id);

CREATE TABLE refresh_token (
    token_hash TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    app_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX refresh_token_device ON refresh_token (device_id);

CREATE TABLE login_challenge (
    device_id TEXT NOT NULL REFERENCES device (id) ON DELETE CASCADE,
    challenge_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, challenge_hash)
);

CREATE TABLE otp_recovery_code (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    code_enc TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX otp_recovery_code_user ON otp_recovery_code (user_id, code_hash);

CREATE TABLE group_key (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES grp (id) ON DELETE CASCADE,
    app_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    group_key_alg TEXT NOT NULL,
    keypair_encrypt_alg TEXT NOT NULL,
    public_key TEXT NOT NULL,
    encrypted_private_key TEXT NOT NULL,
    keypair_sign_alg TEXT NULL,
    verify_key TEXT NULL,
    encrypted_sign_key TEXT NULL,
    public_key_sig TEXT NULL,
    public_key_sig_key_id TEXT NULL,
    signed_by_user_id TEXT NULL,
    signed_by_user_sign_key_id TEXT NULL,
    group_key_sig TEXT NULL,
    previous_group_key_id TEXT NULL,
    ephemeral_alg TEXT NULL,
    encrypted_group_key_by_eph_key TEXT NULL,
    encrypted_ephemeral_key TEXT NULL
);
CREATE INDEX group_key_group ON group_key (group_id, created_at DESC, id);

CREATE TABLE group_search_key (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES grp (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    encrypted_key TEXT NOT NULL,
    alg TEXT NOT NULL,
    encryption_key_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX group_search_key_group ON group_search_key (group_id, kind, created_at DESC);

CREATE TABLE group_member (
    group_id TEXT NOT NULL REFERENCES grp (id) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    member_type INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    joined_at BIGINT NOT NULL,
    key_session_id TEXT NULL UNIQUE,
    key_session_at BIGINT NULL,
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX group_member_member ON group_member (member_id, member_type);
CREATE INDEX group_member_joined ON group_member (group_id, joined_at, member_id);
CREATE INDEX group_member_rank ON group_member (group_id, rank);

CREATE TABLE member_key (
    key_id TEXT NOT NULL REFERENCES group_key (id) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    encrypted_group_key TEXT NOT NULL,
    encrypted_alg TEXT NOT NULL,
    encrypted_by_key_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (key_id, member_id)
);
CREATE INDEX member_key_member ON member_key (group_id, member_id);
CREATE INDEX member_key_member_id ON member_key (member_id);

CREATE TABLE membership_request (
    group_id TEXT NOT NULL REFERENCES grp (id) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    kind INTEGER NOT NULL,
    member_type INTEGER NOT NULL,
    new_rank INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    key_session_id TEXT NULL UNIQUE,
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX membership_request_member ON membership_request (member_id, kind, created_at DESC, group_id);
CREATE INDEX membership_request_group ON membership_request (group_id, kind, created_at, member_id);
