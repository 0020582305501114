package migrations

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/schemactl/schemactl/devdb"
)

func TestStatus(t *testing.T) {
	ctx := context.Background()
	conn := mustConnect(t, devdb.ForTest(t))
	h := History{Schema: DefaultRevisionsSchema}
	files := map[string]string{
		"1_a.sql": "CREATE TABLE a (id int);\n",
		"3_c.sql": "CREATE TABLE c (id int);\nCREATE TABLE c (id int);\n",
	}
	dir := writeDir(t, files)

	st, err := ReadStatus(ctx, conn, h, mustLoad(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := st.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	want := `Migration Status: PENDING
  -- Current Version: No migration applied yet
  -- Next Version:    1
  -- Executed Files:  0
  -- Pending Files:   2
`
	if out.String() != want {
		t.Fatalf("empty database:\n%s\nwant:\n%s", out.String(), want)
	}

	if _, err := Apply(ctx, conn, mustLoad(t, dir), testOpts()); err == nil {
		t.Fatal("want 3_c.sql to fail")
	}
	files["2_b.sql"] = "CREATE TABLE b (id int);\n"
	dir = writeDir(t, files)
	st, err = ReadStatus(ctx, conn, h, mustLoad(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := st.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	want = `Migration Status: FAILED
  -- Current Version: 3 (0 statements applied)
  -- Next Version:    2
  -- Executed Files:  2 (last one failed)
  -- Pending Files:   2
  -- Out of order:    2_b.sql (apply with --exec-order non-linear)

Last migration attempt had errors:
  -- File:  3
  -- SQL:   CREATE TABLE c (id int);
  -- ERROR: ERROR: relation "c" already exists (SQLSTATE 42P07)
`
	if out.String() != want {
		t.Fatalf("failed file:\n%s\nwant:\n%s", out.String(), want)
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{`"Status":"FAILED"`, `"Current":"3"`, `"Next":"2"`, `"Total":2`, `"Type":"applied"`, `"Failed":"3"`, `"Pending":[{"Name":"2_b.sql","Version":"2","Description":"b"},{"Name":"3_c.sql"`} {
		if !bytes.Contains(b, []byte(frag)) {
			t.Errorf("JSON lacks %s:\n%s", frag, b)
		}
	}

	// Fixed and applied: up to date.
	files["3_c.sql"] = "CREATE TABLE c (id int);\n"
	dir = writeDir(t, files)
	opts := testOpts()
	opts.ExecOrder = ExecOrderNonLinear
	if _, err := Apply(ctx, conn, mustLoad(t, dir), opts); err != nil {
		t.Fatal(err)
	}
	st, err = ReadStatus(ctx, conn, h, mustLoad(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != StatusOK || st.Next != "Already at latest version" || st.Current != "3" || len(st.Pending) != 0 || st.Failed != "" {
		t.Fatalf("status after apply: %+v", st)
	}
}

func TestSetVersion(t *testing.T) {
	ctx := context.Background()
	conn := mustConnect(t, devdb.ForTest(t))
	h := History{Schema: DefaultRevisionsSchema}
	dir := writeDir(t, map[string]string{
		"1_a.sql": "CREATE TABLE a (id int);\n",
		"2_b.sql": "CREATE TABLE b (id int);\n",
		"3_c.sql": "CREATE TABLE c (id int);\nSELECT 1/0;\n",
		"4_d.sql": "CREATE TABLE d (id int);\n",
	})
	files := mustLoad(t, dir)
	opts := SetOptions{OperatorVersion: "schemactl test"}
	if _, err := SetVersion(ctx, conn, h, files, "", opts); err == nil {
		t.Fatal("set without a version on an empty history accepted")
	}
	if _, err := SetVersion(ctx, conn, h, files, "9", opts); err == nil || !strings.Contains(err.Error(), "version 9 is not in") {
		t.Fatalf("unknown version: %v", err)
	}
	res, err := SetVersion(ctx, conn, h, files, "2", opts)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res.WriteText(&out)
	if want := "Current version is 2 (2 set):\n  + 1 (a)\n  + 2 (b)\n"; out.String() != want {
		t.Fatalf("set 2:\n%s\nwant:\n%s", out.String(), want)
	}
	want := `1 a type=4 0/0 err="" stmt="" partial=null op="schemactl test"
2 b type=4 0/0 err="" stmt="" partial=null op="schemactl test"
`
	if got := revisionRows(t, conn); got != want {
		t.Fatalf("history:\n%s\nwant:\n%s", got, want)
	}
	// Apply continues after the set version and fails in 3.
	if _, err := Apply(ctx, conn, files, testOpts()); err == nil {
		t.Fatal("want 3_c.sql to fail")
	}
	// Setting the failed version marks it resolved and applied ...
	res, err = SetVersion(ctx, conn, h, files, "3", opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Set) != 1 || res.Set[0].Type != RevisionTypeExecute|RevisionTypeResolved {
		t.Fatalf("set 3: %+v", res)
	}
	st, err := ReadStatus(ctx, conn, h, files)
	if err != nil {
		t.Fatal(err)
	}
	if st.Failed != "" || st.Next != "4" {
		t.Fatalf("status after set: %+v", st)
	}
	// ... so apply runs only 4.
	rep, err := Apply(ctx, conn, files, testOpts())
	if err != nil || len(rep.Files) != 1 || rep.Files[0].File.Version != "4" {
		t.Fatalf("apply after set: %v %+v", err, rep)
	}
	// Going back removes the newer revisions.
	res, err = SetVersion(ctx, conn, h, files, "1", opts)
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	res.WriteText(&out)
	if want := "Current version is 1 (3 removed):\n  - 2 (b)\n  - 3 (c)\n  - 4 (d)\n"; out.String() != want {
		t.Fatalf("set 1:\n%s\nwant:\n%s", out.String(), want)
	}
	// Without a version: up to the last file.
	res, err = SetVersion(ctx, conn, h, files, "", opts)
	if err != nil || res.Current == nil || res.Current.Version != "4" || len(res.Set) != 3 {
		t.Fatalf("set to latest: %v %+v", err, res)
	}
}
