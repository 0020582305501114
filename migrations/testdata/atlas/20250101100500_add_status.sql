-- Create enum type "user_status"
CREATE TYPE "public"."user_status" AS ENUM ('active', 'disabled');
-- Modify "users" table
ALTER TABLE "public"."users" ADD COLUMN "status" "public"."user_status" NOT NULL DEFAULT 'active';
-- Create "touch_created" function
CREATE FUNCTION "public"."touch_created" () RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.created_at := now();
  RETURN NEW;
END;
$$;
-- Create "user_count" function
CREATE FUNCTION "public"."user_count" () RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM public.users; END;
-- Create trigger "users_touch"
CREATE TRIGGER "users_touch" BEFORE INSERT ON "public"."users" FOR EACH ROW EXECUTE FUNCTION "public"."touch_created"();
