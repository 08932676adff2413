ALTER TABLE "individuals" ADD COLUMN "shareable_uuid" uuid DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "shareable_uuid" uuid DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "shareable_uuid" uuid DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
ALTER TABLE "roles" ADD COLUMN "shareable_uuid" uuid DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
ALTER TABLE "individuals" ADD CONSTRAINT "individuals_shareable_uuid_unique" UNIQUE("shareable_uuid");--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_shareable_uuid_unique" UNIQUE("shareable_uuid");--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_shareable_uuid_unique" UNIQUE("shareable_uuid");--> statement-breakpoint
ALTER TABLE "roles" ADD CONSTRAINT "roles_shareable_uuid_unique" UNIQUE("shareable_uuid");