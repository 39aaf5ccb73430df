-- How the authorization response goes back to the client (OAuth 2.0 Multiple Response Type Encoding
-- Practices §2.1, Form Post Response Mode §2): query, fragment or form_post. NULL (logins pending
-- when this was added) means query, the default for response_type=code.
ALTER TABLE login_transactions ADD COLUMN response_mode text;
