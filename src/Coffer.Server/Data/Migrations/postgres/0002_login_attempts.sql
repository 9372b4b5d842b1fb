-- Login rate limit: fixed windows counted in the database, so that several server nodes on one database share
-- the count. bucket = "id:<identifier hash>" or "ip:<client address>"; window_start in ms.
CREATE TABLE login_attempt (
    bucket TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    attempts INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX login_attempt_window ON login_attempt (window_start);
