-- Provider state "user 1 exists" (orders-service pact): exactly one user, Ada, with id 1.
-- RESTART IDENTITY makes the next generated id 1 again, so the insert gets it without
-- overriding the identity column (and later inserts keep working).
TRUNCATE users RESTART IDENTITY;
INSERT INTO users (email, name, role, created_at, updated_at)
VALUES ('ada@example.com', 'Ada Lovelace', 'member', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z');
