ALTER TABLE "ai_verification" ALTER COLUMN "confidence_score" SET DATA TYPE numeric(5, 4);--> statement-breakpoint
ALTER TABLE "media" ALTER COLUMN "file_size" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "legacy_profile_url";