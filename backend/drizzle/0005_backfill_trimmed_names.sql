-- Hand-written data fix: names imported from the 2024 spreadsheet carried stray
-- whitespace and empty English names, which broke search and share-link titles.
UPDATE "organizations" SET "name" = btrim("name") WHERE "name" <> btrim("name");
UPDATE "organizations" SET "name_en" = NULL WHERE "name_en" = '';
UPDATE "individuals" SET "full_name" = btrim("full_name") WHERE "full_name" <> btrim("full_name");
UPDATE "individuals" SET "full_name_en" = NULL WHERE "full_name_en" = '';
UPDATE "roles" SET "title" = btrim("title") WHERE "title" <> btrim("title");
