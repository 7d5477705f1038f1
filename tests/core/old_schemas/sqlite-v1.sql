-- Schema version 1 as a fresh SQLite database was made (before this repository's history: the batch
-- table without claimed_count and redeemed_count). History: never edit.
CREATE TABLE schema_version (id INTEGER NOT NULL PRIMARY KEY, version INTEGER NOT NULL);
CREATE TABLE setting (key VARCHAR(64) NOT NULL PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE template (id INTEGER NOT NULL PRIMARY KEY, title VARCHAR(120) NOT NULL UNIQUE, discount_kind VARCHAR(8) NOT NULL, discount_value DECIMAL(12, 2) NOT NULL, min_purchase DECIMAL(12, 2) NOT NULL, expires_on DATE, valid_days INTEGER, terms TEXT NOT NULL, created_at DATETIME NOT NULL);
CREATE TABLE member (id INTEGER NOT NULL PRIMARY KEY, email VARCHAR(254) NOT NULL UNIQUE, name VARCHAR(120) NOT NULL, password_hash VARCHAR(255) NOT NULL, created_at DATETIME NOT NULL);
CREATE TABLE batch (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(120) NOT NULL, description TEXT NOT NULL, channel VARCHAR(20) NOT NULL, template_id INTEGER NOT NULL REFERENCES template (id) ON DELETE RESTRICT, quantity INTEGER NOT NULL, status VARCHAR(8) NOT NULL, token VARCHAR(64) NOT NULL UNIQUE, code_prefix VARCHAR(8) NOT NULL, code_length SMALLINT NOT NULL, created_at DATETIME NOT NULL);
CREATE TABLE voucher (id INTEGER NOT NULL PRIMARY KEY, batch_id INTEGER NOT NULL REFERENCES batch (id) ON DELETE CASCADE, code VARCHAR(32) NOT NULL UNIQUE, status SMALLINT NOT NULL, member_id INTEGER REFERENCES member (id) ON DELETE RESTRICT, claimed_at DATETIME, redeemed_at DATETIME, expires_at DATETIME);
CREATE INDEX voucher_batch_id ON voucher (batch_id);
CREATE INDEX voucher_batch_id_status ON voucher (batch_id, status);
CREATE UNIQUE INDEX voucher_member_id_batch_id ON voucher (member_id, batch_id);
INSERT INTO schema_version (version) VALUES (1);
