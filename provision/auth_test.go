package provision

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/schemactl/schemactl/internal/pgquote"
)

// withUser returns u with its user and password replaced.
func withUser(t *testing.T, raw, user, password string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}

// TestPasswords runs on a cluster that checks passwords: the role logs in
// with its password only; a rerun verifies the stored verifier and changes
// nothing; a new password is set and reported; and a privileged role that
// is not a superuser (CREATEROLE, as on managed services) provisions too,
// checking the password by logging in.
func TestPasswords(t *testing.T) {
	ctx := context.Background()
	c := StartPasswordCluster(t)
	db, err := c.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	superURL := db.URL
	admin := connect(t, superURL)
	names, err := ForService("pay", Names{Database: db.Name})
	if err != nil {
		t.Fatal(err)
	}
	const pw = "correct horse 'battery' \\ staple"
	res, err := Provision(ctx, admin, Spec{Names: names, Password: pw}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(res.Actions, "\n"), "password set") {
		t.Fatalf("actions: %q", res.Actions)
	}
	var stored string
	if err := admin.QueryRow(ctx, `SELECT rolpassword FROM pg_authid WHERE rolname = 'pay_svc'`).Scan(&stored); err != nil || !strings.HasPrefix(stored, "SCRAM-SHA-256$4096:") {
		t.Fatalf("stored verifier %q (%v)", stored, err)
	}
	login := func(password string) error {
		conn, err := pgx.Connect(ctx, withUser(t, superURL, "pay_svc", password))
		if err == nil {
			conn.Close(ctx)
		}
		return err
	}
	if err := login(pw); err != nil {
		t.Fatalf("login with the password: %v", err)
	}
	if err := login("wrong"); !isAuthFailure(err) {
		t.Fatalf("login with a wrong password: %v", err)
	}
	if res, err := Provision(ctx, admin, Spec{Names: names, Password: pw}, Options{}); err != nil || res.Changed() {
		t.Fatalf("rerun: %v %q", err, res.Actions)
	}
	res, err = Provision(ctx, admin, Spec{Names: names, Password: "rotated"}, Options{})
	if err != nil || strings.Join(res.Actions, "\n") != `set the password of role "pay_svc"` {
		t.Fatalf("rotation: %v %q", err, res.Actions)
	}
	if err := login("rotated"); err != nil {
		t.Fatal(err)
	}

	// A privileged role that is not a superuser.
	if _, err := admin.Exec(ctx, `CREATE ROLE ops LOGIN CREATEROLE PASSWORD 'ops-pw'; GRANT ALL ON SCHEMA public TO ops; GRANT CREATE ON DATABASE `+pgquote.Ident(db.Name)+" TO ops"); err != nil {
		t.Fatal(err)
	}
	opsURL := withUser(t, superURL, "ops", "ops-pw")
	ops := connect(t, opsURL)
	checkLogin := func(ctx context.Context, role, password string) error {
		conn, err := pgx.Connect(ctx, withUser(t, superURL, role, password))
		if err == nil {
			conn.Close(ctx)
		}
		return err
	}
	names2, _ := ForService("ship", Names{Database: db.Name})
	res, err = Provision(ctx, ops, Spec{Names: names2, Password: "ship-pw"}, Options{CheckLogin: checkLogin})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(res.Actions, "\n"), `granted role "ship_svc" to "ops"`) {
		t.Fatalf("actions: %q", res.Actions)
	}
	if res, err := Provision(ctx, ops, Spec{Names: names2, Password: "ship-pw"}, Options{CheckLogin: checkLogin}); err != nil || res.Changed() {
		t.Fatalf("rerun as ops: %v %q", err, res.Actions)
	}
	res, err = Provision(ctx, ops, Spec{Names: names2, Password: "new-ship-pw"}, Options{CheckLogin: checkLogin})
	if err != nil || len(res.Actions) != 1 || !strings.HasPrefix(res.Actions[0], "set the password") {
		t.Fatalf("rotation as ops: %v %q", err, res.Actions)
	}
	if err := checkLogin(ctx, "ship_svc", "new-ship-pw"); err != nil {
		t.Fatal(err)
	}
}

func TestScramVerifier(t *testing.T) {
	v, ok := scramVerifier("secret")
	if !ok || strings.Contains(v, "secret") {
		t.Fatalf("%q %v", v, ok)
	}
	if m, known := matchesStored(v, "r", "secret"); !m || !known {
		t.Fatal("own verifier does not match")
	}
	if m, _ := matchesStored(v, "r", "Secret"); m {
		t.Fatal("wrong password matches")
	}
	// md5("secret" + "r") as PostgreSQL stores it.
	const md5Stored = "md53e19f1a342ad836c6b69133953e46b7d"
	if m, known := matchesStored(md5Stored, "r", "secret"); !m || !known {
		t.Fatal("md5 form does not match")
	}
	if m, known := matchesStored(md5Stored, "r", "nope"); m || !known {
		t.Fatal("md5 form matches a wrong password")
	}
	if _, ok := scramVerifier("pässword"); ok {
		t.Fatal("non-ASCII password needs SASLprep")
	}
}
