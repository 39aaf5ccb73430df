-- A pending login is bound to the browser that started it: the SHA-256 of a random value kept in a
-- cookie there. A login completed in another browser (a forwarded IdP link) is refused.
ALTER TABLE login_transactions ADD COLUMN browser_binding text;
