ALTER TABLE "content_reports" ALTER COLUMN "reporter_user_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "media" ALTER COLUMN "uploaded_by_user_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "media" ADD CONSTRAINT "media_uploader_check" CHECK ("media"."uploaded_by_user_id" IS NOT NULL OR "media"."uploaded_by_session_id" IS NOT NULL);--> statement-breakpoint
ALTER TABLE "votes" ADD CONSTRAINT "votes_voter_check" CHECK ("votes"."user_id" IS NOT NULL OR "votes"."session_id" IS NOT NULL);