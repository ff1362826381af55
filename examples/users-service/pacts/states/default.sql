-- Interactions that name no provider state (the orders-service pact's "create a user") start
-- from an empty users table, so grace@example.com does not exist yet, whatever ran before.
TRUNCATE users RESTART IDENTITY;
