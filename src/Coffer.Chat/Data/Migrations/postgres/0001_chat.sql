-- Coffer.Chat's own schema (recorded in chat_schema_version). The seed's tables, prefixed with chat_ so that they
-- can share one database with the platform: users (a profile of a Coffer user), secret chats and their messages,
-- groups, group_members, group_messages, secret_group_keys. Times are Unix milliseconds.

CREATE TABLE chat_user (
    id TEXT PRIMARY KEY,
    username TEXT NULL,
    avatar_url TEXT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE chat_secret_chat (
    id BIGSERIAL PRIMARY KEY,
    user_1 TEXT NOT NULL REFERENCES chat_user (id) ON DELETE CASCADE,
    user_2 TEXT NOT NULL REFERENCES chat_user (id) ON DELETE CASCADE,
    user_1_public_key TEXT NULL,
    user_2_public_key TEXT NULL,
    user_1_encrypted_symmetric_key TEXT NULL,
    user_2_encrypted_symmetric_key TEXT NULL,
    user_2_accepted BOOLEAN NOT NULL DEFAULT FALSE,
    key_finalized BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    CHECK (user_1 <> user_2)
);
CREATE INDEX chat_secret_chat_user_1 ON chat_secret_chat (user_1);
CREATE INDEX chat_secret_chat_user_2 ON chat_secret_chat (user_2);

CREATE TABLE chat_secret_message (
    id BIGSERIAL PRIMARY KEY,
    chat_id BIGINT NOT NULL REFERENCES chat_secret_chat (id) ON DELETE CASCADE,
    sender_id TEXT NOT NULL REFERENCES chat_user (id) ON DELETE CASCADE,
    encrypted_content TEXT NOT NULL,
    message_type TEXT NOT NULL DEFAULT 'text' CHECK (message_type IN ('text', 'image', 'file')),
    created_at BIGINT NOT NULL,
    edited_at BIGINT NULL
);
CREATE INDEX chat_secret_message_chat ON chat_secret_message (chat_id, id);

CREATE TABLE chat_group (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NULL,
    type TEXT NOT NULL DEFAULT 'public' CHECK (type IN ('public', 'private', 'secret')),
    avatar_url TEXT NULL,
    created_by TEXT NOT NULL REFERENCES chat_user (id),
    created_at BIGINT NOT NULL,
    invite_code TEXT NULL UNIQUE,
    is_active BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX chat_group_type ON chat_group (type);

CREATE TABLE chat_group_member (
    id BIGSERIAL PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES chat_group (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES chat_user (id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'moderator', 'member')),
    joined_at BIGINT NOT NULL,
    UNIQUE (group_id, user_id)
);
CREATE INDEX chat_group_member_user ON chat_group_member (user_id);

CREATE TABLE chat_group_message (
    id BIGSERIAL PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES chat_group (id) ON DELETE CASCADE,
    sender_id TEXT NOT NULL REFERENCES chat_user (id),
    content TEXT NOT NULL,
    message_type TEXT NOT NULL DEFAULT 'text' CHECK (message_type IN ('text', 'image', 'file')),
    created_at BIGINT NOT NULL,
    edited_at BIGINT NULL,
    is_encrypted BOOLEAN NOT NULL DEFAULT FALSE,
    encrypted_content TEXT NULL
);
CREATE INDEX chat_group_message_group ON chat_group_message (group_id, id);

CREATE TABLE chat_secret_group_key (
    id BIGSERIAL PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES chat_group (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES chat_user (id) ON DELETE CASCADE,
    public_key TEXT NOT NULL,
    encrypted_symmetric_key TEXT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (group_id, user_id)
);
