package atlashcl

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func lookupFrom(m map[string]string) Lookup {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

const projectFile = `
variable "admin" {
  type    = string
  default = getenv("ADMIN_URL")
}

env "prod" {
  url = getenv("DATABASE_URL")
  migration {
    dir              = "file://migrations"
    revisions_schema = "orders"
  }
  service "orders" {
    database    = "app"
    password    = getenv("ORDERS_DB_PASSWORD")
    admin_url   = var.admin
    search_path = ["orders", "ext"]
  }
}

env "plain" {
  url = "postgres://localhost/app"
}

env "escaped" {
  service "billing" {
    role     = "bill_${atlas.env}"
    password = "pre-$${BILLING_PW}-post"
  }
}

env "bare" {
  service "billing" {
    password = "${BILLING_PW}"
  }
}
`

func TestParseService(t *testing.T) {
	env := lookupFrom(map[string]string{"ORDERS_DB_PASSWORD": "s3cret ${NOT_EXPANDED}", "ADMIN_URL": "postgres://admin@db/app", "BILLING_PW": "pw"})
	se, err := ParseServiceEnv("atlas.hcl", []byte(projectFile), "prod", env)
	if err != nil {
		t.Fatal(err)
	}
	if se.Dir != "file://migrations" || se.RevisionsSchema != "orders" || !se.URL.IsSet() {
		t.Fatalf("env: %+v", se)
	}
	if _, err := se.URL.Value(); err == nil || !strings.Contains(err.Error(), "DATABASE_URL is not set") {
		t.Fatalf("url: %v", err)
	}
	s := se.Service
	pw, err1 := s.Password.Value()
	admin, err2 := s.AdminURL.Value()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if s.Name != "orders" || s.Database != "app" || s.Schema != "" || s.Role != "" || pw != "s3cret ${NOT_EXPANDED}" ||
		admin != "postgres://admin@db/app" || !reflect.DeepEqual(s.SearchPath, []string{"orders", "ext"}) || s.Pos != "atlas.hcl:13:3" {
		t.Fatalf("got %+v", s)
	}

	if s, err := ParseService("atlas.hcl", []byte(projectFile), "plain", env); err != nil || s != nil {
		t.Fatalf("env without service: %+v %v", s, err)
	}
	for _, name := range []string{"escaped", "bare"} {
		s, err := ParseService("atlas.hcl", []byte(projectFile), name, env)
		if err != nil {
			t.Fatal(err)
		}
		pw, err := s.Password.Value()
		if err != nil {
			t.Fatal(err)
		}
		if name == "escaped" && (pw != "pre-pw-post" || s.Role != "bill_escaped") {
			t.Fatalf("%+v %q", s, pw)
		}
		if name == "bare" && pw != "pw" {
			t.Fatalf("%+v %q", s, pw)
		}
	}
}

func TestParseServiceUnsetVariables(t *testing.T) {
	cases := []struct{ env, unset, pos string }{
		{"prod", "ORDERS_DB_PASSWORD", "atlas.hcl:15:"},
		{"escaped", "BILLING_PW", "atlas.hcl:28:"},
		{"bare", "BILLING_PW", "atlas.hcl:34:"},
	}
	for _, c := range cases {
		vars := map[string]string{"ORDERS_DB_PASSWORD": "x", "ADMIN_URL": "x", "BILLING_PW": "x"}
		delete(vars, c.unset)
		s, err := ParseService("atlas.hcl", []byte(projectFile), c.env, lookupFrom(vars))
		if err != nil {
			t.Fatalf("the password is evaluated only when used: %v", err)
		}
		_, err = s.Password.Value()
		if err == nil || !strings.Contains(err.Error(), c.unset) || !strings.Contains(err.Error(), "not set") || !strings.HasPrefix(err.Error(), c.pos) {
			t.Errorf("env %s without %s: %v", c.env, c.unset, err)
		}
	}
	// The variable block's getenv is evaluated only when used.
	s, err := ParseService("atlas.hcl", []byte(projectFile), "prod", lookupFrom(map[string]string{"ORDERS_DB_PASSWORD": "x"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AdminURL.Value(); err == nil || !strings.Contains(err.Error(), "ADMIN_URL is not set") {
		t.Errorf("unset variable default: %v", err)
	}
	if _, err := ParseService("atlas.hcl", []byte(projectFile), "escaped", lookupFrom(map[string]string{"BILLING_PW": "x"})); err != nil {
		t.Errorf("unrelated unset variables must not matter: %v", err)
	}
}

func TestParseServiceErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{`env "a" {}`, `env not defined: "b" (defined: "a")`},
		{"env \"b\" {\n service {}\n}", "needs the service name as its label"},
		{"env \"b\" {\n service \"x\" { rol = \"y\" }\n}", `atlas.hcl:2:16: unknown attribute "rol"`},
		{"env \"b\" {\n service \"x\" {}\n service \"y\" {}\n}", "atlas.hcl:3:2: env \"b\" has a second service block (the first is at line 2)"},
		{"env \"b\" {\n service \"x\" { role = local.r }\n}", `atlas.hcl:2:23: no local "r" is declared`},
		{"env \"b\" {\n service \"x\" { role = var.nope }\n}", `no variable "nope" is declared`},
		{"env \"b\" {\n service \"x\" { role = [\"a\"] }\n}", "want a string"},
		{"env \"b\" {\n service \"x\" { role = file(\"x\") }\n}", "atlas.hcl:2:23"},
		{"env \"b\" {\n migration {\n dir = getenv(\"NOPE\")\n }\n}", "atlas.hcl:3:8: Error in function call: Call to function \"getenv\" failed: environment variable NOPE is not set"},
	} {
		_, err := ParseService("atlas.hcl", []byte(c.src), "b", lookupFrom(nil))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.src, err, c.want)
		}
	}
	_, err := ParseService("atlas.hcl", []byte(`env "a" {}`), "b", nil)
	if !errors.Is(err, ErrNoEnv) {
		t.Errorf("want ErrNoEnv, got %v", err)
	}
}

func TestParseServiceDynamicEnv(t *testing.T) {
	src := `env {
  name = atlas.env
  service "svc" {
    schema = "s_${atlas.env}"
  }
}`
	s, err := ParseService("atlas.hcl", []byte(src), "dev", nil)
	if err != nil || s == nil || s.Schema != "s_dev" {
		t.Fatalf("%+v %v", s, err)
	}
}
