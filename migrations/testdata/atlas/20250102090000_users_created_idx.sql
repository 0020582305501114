-- atlas:txmode none

-- Create index "users_created_at_idx" to table: "users"
CREATE INDEX CONCURRENTLY "users_created_at_idx" ON "public"."users" ("created_at");
