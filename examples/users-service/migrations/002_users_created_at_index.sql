-- 002: index for listing users by creation time (admin views, reports)
CREATE INDEX users_created_at_idx ON users (created_at);
