-- Schema version 3 as a fresh PostgreSQL database was made: the statements the code of
-- commit b6209eab4d91 ran on an empty database (tools/schema_snapshot.py). History: never edit.
CREATE TABLE IF NOT EXISTS "template" ("id" SERIAL NOT NULL PRIMARY KEY, "title" VARCHAR(120) NOT NULL, "discount_kind" VARCHAR(8) NOT NULL CHECK (discount_kind IN ('percent', 'amount')), "discount_value" NUMERIC(12, 2) NOT NULL CHECK (discount_value > 0), "min_purchase" NUMERIC(12, 2) NOT NULL CHECK (min_purchase >= 0), "expires_on" DATE, "valid_days" INTEGER CHECK (valid_days IS NULL OR valid_days > 0), "terms" TEXT NOT NULL, "created_at" TIMESTAMP NOT NULL, CHECK (expires_on IS NULL OR valid_days IS NULL), CHECK (discount_kind <> 'percent' OR discount_value <= 100));
CREATE UNIQUE INDEX IF NOT EXISTS "template_title" ON "template" ("title");
CREATE TABLE IF NOT EXISTS "batch" ("id" SERIAL NOT NULL PRIMARY KEY, "name" VARCHAR(120) NOT NULL, "description" TEXT NOT NULL, "channel" VARCHAR(20) NOT NULL CHECK (channel IN ('Email', 'SMS', 'In-store QR', 'Social media', 'Events', 'Website', 'Other')), "template_id" INTEGER NOT NULL, "quantity" INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 1000000), "status" VARCHAR(8) NOT NULL CHECK (status IN ('active', 'paused')), "token" VARCHAR(64) NOT NULL, "code_prefix" VARCHAR(8) NOT NULL, "code_length" SMALLINT NOT NULL, "claimed_count" INTEGER NOT NULL CHECK (claimed_count BETWEEN 0 AND quantity), "redeemed_count" INTEGER NOT NULL CHECK (redeemed_count BETWEEN 0 AND claimed_count), "created_at" TIMESTAMP NOT NULL, FOREIGN KEY ("template_id") REFERENCES "template" ("id") ON DELETE RESTRICT);
CREATE INDEX IF NOT EXISTS "batch_template_id" ON "batch" ("template_id");
CREATE UNIQUE INDEX IF NOT EXISTS "batch_token" ON "batch" ("token");
CREATE INDEX IF NOT EXISTS "batch_created_at" ON "batch" ("created_at");
CREATE TABLE IF NOT EXISTS "member" ("id" SERIAL NOT NULL PRIMARY KEY, "email" VARCHAR(254) NOT NULL, "name" VARCHAR(120) NOT NULL, "password_hash" VARCHAR(255) NOT NULL, "created_at" TIMESTAMP NOT NULL, "session_generation" INTEGER NOT NULL DEFAULT 0 CHECK (session_generation >= 0), "erased_at" TIMESTAMP CHECK (erased_at IS NULL OR (name = '' AND password_hash = '' AND replace(email, '@', '') = email)));
CREATE UNIQUE INDEX IF NOT EXISTS "member_email" ON "member" ("email");
CREATE TABLE IF NOT EXISTS "reset_code" ("id" SERIAL NOT NULL PRIMARY KEY, "member_id" INTEGER NOT NULL, "code_hash" VARCHAR(64) NOT NULL, "created_at" TIMESTAMP NOT NULL, "expires_at" TIMESTAMP NOT NULL, FOREIGN KEY ("member_id") REFERENCES "member" ("id") ON DELETE CASCADE);
CREATE INDEX IF NOT EXISTS "reset_code_member_id" ON "reset_code" ("member_id");
CREATE UNIQUE INDEX IF NOT EXISTS "reset_code_code_hash" ON "reset_code" ("code_hash");
CREATE TABLE IF NOT EXISTS "schema_version" ("id" SERIAL NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS "setting" ("key" VARCHAR(64) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "voucher" ("id" SERIAL NOT NULL PRIMARY KEY, "batch_id" INTEGER NOT NULL, "code" VARCHAR(32) NOT NULL, "status" SMALLINT NOT NULL, "member_id" INTEGER, "claimed_at" TIMESTAMP, "redeemed_at" TIMESTAMP, "expires_at" TIMESTAMP, FOREIGN KEY ("batch_id") REFERENCES "batch" ("id") ON DELETE CASCADE, FOREIGN KEY ("member_id") REFERENCES "member" ("id") ON DELETE RESTRICT, CHECK ((status = 0 AND member_id IS NULL AND claimed_at IS NULL AND redeemed_at IS NULL) OR (status = 1 AND member_id IS NOT NULL AND claimed_at IS NOT NULL AND redeemed_at IS NULL) OR (status = 2 AND member_id IS NOT NULL AND claimed_at IS NOT NULL AND redeemed_at IS NOT NULL)));
CREATE INDEX IF NOT EXISTS "voucher_batch_id" ON "voucher" ("batch_id");
CREATE UNIQUE INDEX IF NOT EXISTS "voucher_code" ON "voucher" ("code");
CREATE INDEX IF NOT EXISTS "voucher_batch_id_status" ON "voucher" ("batch_id", "status");
CREATE UNIQUE INDEX IF NOT EXISTS "voucher_member_id_batch_id" ON "voucher" ("member_id", "batch_id") WHERE ("member_id" IS NOT NULL);
INSERT INTO "schema_version" ("version") VALUES (3) RETURNING "schema_version"."id";
