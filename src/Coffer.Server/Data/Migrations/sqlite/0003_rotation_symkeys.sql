-- Key rotation (api.md §6, §9) and symmetric key management (§4.17).
-- rotation_pending: the rotation's ephemeral key encrypted by the server for one member (fan-out output).
-- rotation_job: the durable fan-out job of one rotation (one row per new key); it also counts rotations for the
-- monthly cap (counted at start, §8 #9). status: 0 pending, 1 running, 2 finished.

CREATE TABLE rotation_pending (
    key_id TEXT NOT NULL REFERENCES group_key (id) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    encrypted_ephemeral_key TEXT NOT NULL,
    encrypted_by_key_id TEXT NOT NULL,
    error TEXT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (key_id, member_id)
);
CREATE INDEX rotation_pending_member ON rotation_pending (group_id, member_id);
CREATE INDEX rotation_pending_member_id ON rotation_pending (member_id);

CREATE TABLE rotation_job (
    key_id TEXT PRIMARY KEY REFERENCES group_key (id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES grp (id) ON DELETE CASCADE,
    app_id TEXT NOT NULL,
    user_group_owner_id TEXT NULL,
    status INTEGER NOT NULL,
    cursor_joined_at BIGINT NULL,
    cursor_member_id TEXT NULL,
    processed BIGINT NOT NULL,
    total BIGINT NULL,
    claimed_by TEXT NULL,
    claimed_until BIGINT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT NULL
);
CREATE INDEX rotation_job_group ON rotation_job (group_id, started_at);
CREATE INDEX rotation_job_status ON rotation_job (status, started_at);

CREATE TABLE sym_key (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES app (id) ON DELETE CASCADE,
    master_key_id TEXT NOT NULL,
    creator_id TEXT NOT NULL,
    encrypted_key TEXT NOT NULL,
    alg TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX sym_key_master ON sym_key (app_id, master_key_id, created_at DESC, id);
CREATE INDEX sym_key_creator ON sym_key (app_id, creator_id);
