-- xrca schema 8: where a private key lives (issue 13). 'software': the row holds the key as
-- encrypted PKCS#8 (or, for the escrow salt, the salt). 'pkcs11': the key never leaves a
-- PKCS#11 token and the row holds only a reference to it (module, token, object label, CKA_ID).
ALTER TABLE private_keys ADD COLUMN custody TEXT NOT NULL DEFAULT 'software'
  CHECK (custody IN ('software', 'pkcs11'));
