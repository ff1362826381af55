-- Provider state "no user 42" (orders-service pact): an empty users table has no user 42.
TRUNCATE users RESTART IDENTITY;
