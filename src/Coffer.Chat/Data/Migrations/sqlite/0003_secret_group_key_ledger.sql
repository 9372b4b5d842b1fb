-- chat_secret_group_key becomes the key hand-over ledger of secret groups: one row per (secret group, member). The
-- wrapped copies of the group keys themselves live in the Coffer platform group (each encrypted for the member's
-- public key by an admin's client); this table holds ids only, never key material:
--   public_key               the id of the member's Coffer public key that the group keys are (or will be) wrapped
--                            for; NULL when the platform had none for the user when the row was written
--   encrypted_symmetric_key  NULL while the member waits for the keys; once an admin's client reported the hand-over
--                            and the platform shows the member in the platform group, the id of the newest platform
--                            group key handed over (a recorded rotation moves it to the new key id for every member
--                            who had the keys: the platform fans the new key out to them)
-- Rows are written with the membership (create, join, add), the confirmed hand-over, a recorded rotation and removal.
-- Until this migration no code wrote to the table (0001 created it from the seed; the README said "not used"), so it
-- is recreated empty with public_key nullable. Members of secret groups created before have no row: their hand-over
-- state is unknown (keys_ready null) until the next confirmed hand-over.
DROP TABLE chat_secret_group_key;
CREATE TABLE chat_secret_group_key (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id BIGINT NOT NULL REFERENCES chat_group (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES chat_user (id) ON DELETE CASCADE,
    public_key TEXT NULL,
    encrypted_symmetric_key TEXT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (group_id, user_id)
);
CREATE INDEX chat_secret_group_key_user ON chat_secret_group_key (user_id);
