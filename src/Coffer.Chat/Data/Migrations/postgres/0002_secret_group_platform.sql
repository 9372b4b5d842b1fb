-- Secret groups are Coffer platform groups: the chat group records the platform group that holds its keys, the
-- platform group's newest key id (messages encrypted with an older key are refused once a rotation is recorded) and
-- whether a member left or was removed since the last rotation (an admin's client rotates the key).
ALTER TABLE chat_group ADD COLUMN coffer_group_id TEXT NULL;
ALTER TABLE chat_group ADD COLUMN coffer_key_id TEXT NULL;
ALTER TABLE chat_group ADD COLUMN key_rotation_pending BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX chat_group_coffer_group ON chat_group (coffer_group_id);
