ALTER TABLE "individuals" RENAME COLUMN "biography" TO "bio";--> statement-breakpoint
ALTER TABLE "individuals" RENAME COLUMN "biography_en" TO "bio_en";