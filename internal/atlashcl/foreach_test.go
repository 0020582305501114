package atlashcl

import (
	"strings"
	"testing"
)

const fleetFile = `
variable "tenants" {
  type    = list(string)
  default = ["globex", "acme", "initech"]
}

variable "shards" {
  default = {
    eu = { host = "/run/eu", db = "app_eu" }
    us = { host = "/run/us", db = "app_us" }
  }
}

env "tenants" {
  for_each = toset(var.tenants)
  url      = urlqueryset(urlsetpath(getenv("FLEET_URL"), "app"), "search_path", each.value)
  migration {
    dir = "file://migrations"
  }
}

env "shards" {
  for_each = var.shards
  url      = "postgres://app:pw@/${each.value.db}?host=${each.value.host}"
  migration {
    dir              = "file://migrations/${each.key}"
  }
}

env "services" {
  for_each = toset(["orders", "billing"])
  service "svc" {
    database = "app"
    schema   = each.value
    role     = "${each.key}_svc"
    password = getenv("SVC_PW")
  }
}

env "plain" {
  url = each.value
}

env "dup" {
  for_each = ["a", "a"]
}

env "scalar" {
  for_each = "a"
}
`

func TestParseFleetEnv(t *testing.T) {
	lookup := lookupFrom(map[string]string{"FLEET_URL": "postgres://u:secret@db:5432/x?sslmode=disable", "SVC_PW": "pw"})
	got, ok, err := ParseFleetEnv("atlas.hcl", []byte(fleetFile), "tenants", lookup)
	if err != nil || !ok {
		t.Fatalf("tenants: ok=%v err=%v", ok, err)
	}
	var keys, urls []string
	for _, in := range got {
		u, err := in.Env.URL.Value()
		if err != nil {
			t.Fatal(err)
		}
		keys, urls = append(keys, in.Key), append(urls, u)
		if in.Env.Dir != "file://migrations" {
			t.Errorf("%s: dir %q", in.Key, in.Env.Dir)
		}
	}
	if strings.Join(keys, ",") != "acme,globex,initech" {
		t.Errorf("keys %v, want the set in order", keys)
	}
	if urls[0] != "postgres://u:secret@db:5432/app?search_path=acme&sslmode=disable" {
		t.Errorf("url %q", urls[0])
	}

	got, _, err = ParseFleetEnv("atlas.hcl", []byte(fleetFile), "shards", lookup)
	if err != nil || len(got) != 2 {
		t.Fatalf("shards: %v %v", got, err)
	}
	if u, _ := got[1].Env.URL.Value(); got[1].Key != "us" || u != "postgres://app:pw@/app_us?host=/run/us" || got[1].Env.Dir != "file://migrations/us" {
		t.Errorf("shard us: %q %q %q", got[1].Key, u, got[1].Env.Dir)
	}

	got, _, err = ParseFleetEnv("atlas.hcl", []byte(fleetFile), "services", lookup)
	if err != nil || len(got) != 2 {
		t.Fatalf("services: %v %v", got, err)
	}
	if s := got[0].Env.Service; got[0].Key != "billing" || s.Schema != "billing" || s.Role != "billing_svc" || s.Database != "app" {
		t.Errorf("service: %+v", s)
	}

	if _, ok, err := ParseFleetEnv("atlas.hcl", []byte(fleetFile), "plain", lookup); ok || err != nil {
		t.Errorf("plain: ok=%v err=%v, want no fleet", ok, err)
	}
	for env, want := range map[string]string{
		"dup":    "atlas.hcl:45:14: for_each lists \"a\" twice",
		"scalar": "atlas.hcl:49:14: for_each wants a set, a list or a map, got string",
	} {
		_, _, err := ParseFleetEnv("atlas.hcl", []byte(fleetFile), env, lookup)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", env, err, want)
		}
	}
	se, err := ParseServiceEnv("atlas.hcl", []byte(fleetFile), "plain", lookup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := se.URL.Value(); err == nil || !strings.Contains(err.Error(), "atlas.hcl:41:9: each.key and each.value exist only in an env with for_each") {
		t.Errorf("each outside for_each: %v", err)
	}
	if _, err := ParseServiceEnv("atlas.hcl", []byte(fleetFile), "tenants", lookup); err == nil || !strings.Contains(err.Error(), "atlas.hcl:15:3: env \"tenants\" has for_each") {
		t.Errorf("single-target read of a fleet env: %v", err)
	}
}
