package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/schemactl/schemactl/devdb"
	"github.com/schemactl/schemactl/internal/pgurl"
)

func devCommand() *cli.Command {
	return &cli.Command{
		Name:  "dev",
		Usage: "manage the embedded dev database server that other commands reuse",
		Subcommands: []*cli.Command{
			{
				Name:  "start",
				Usage: "start a local dev server in the background; other commands use it while it runs",
				Action: func(c *cli.Context) error {
					st, already, err := devdb.StartDetached(c.Context, devdb.Options{})
					if err != nil {
						return err
					}
					if already {
						fmt.Fprintf(c.App.Writer, "dev server already running (pid %d, socket %s)\n", st.PID, st.Socket)
						return nil
					}
					fmt.Fprintf(c.App.Writer, "dev server started (pid %d, %s, socket %s)\n", st.PID, st.Version, st.Socket)
					return nil
				},
			},
			{
				Name:  "stop",
				Usage: "stop the background dev server and remove its files",
				Action: func(c *cli.Context) error {
					running, err := devdb.StopDetached(devdb.Options{})
					if err != nil {
						return err
					}
					if running {
						fmt.Fprintln(c.App.Writer, "dev server stopped")
					} else {
						fmt.Fprintln(c.App.Writer, "no dev server running")
					}
					return nil
				},
			},
			{
				Name:  "status",
				Usage: "tell whether the background dev server runs (exit code 3 when it does not)",
				Action: func(c *cli.Context) error {
					cl, err := devdb.AttachRunning(c.Context, devdb.Options{})
					if err != nil {
						return err
					}
					if cl == nil {
						fmt.Fprintln(c.App.Writer, "no dev server running")
						return exitError{code: 3}
					}
					defer cl.Close()
					st, err := devdb.ReadState(devdb.Options{})
					if err != nil || st == nil {
						return fmt.Errorf("read dev server state: %v", err)
					}
					fmt.Fprintf(c.App.Writer, "dev server running\n  pid:     %d\n  version: %s\n  socket:  %s\n  dir:     %s\n  up:      %s\n",
						st.PID, st.Version, st.Socket, st.Dir, time.Since(st.Started).Truncate(time.Second))
					return nil
				},
			},
			{
				Name:  "url",
				Usage: "print the URL of a fresh empty database (on the background dev server, which it starts if needed; the database lives until the server stops)",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "no-start", Usage: "fail instead of starting the background server"},
				},
				Action: func(c *cli.Context) error {
					if dev := devURL(c); dev != "" {
						p, err := devdb.Open(c.Context, dev)
						if err != nil {
							return err
						}
						if _, ok := p.(*devdb.Docker); ok {
							p.Close()
							return usagef("dev url cannot hand out a database in a container that ends with this command")
						}
						defer p.Close()
						db, err := p.NewDatabase(c.Context)
						if err != nil {
							return err
						}
						// A scratch database on the user's own server is kept
						// for them; its password is never printed.
						fmt.Fprintln(c.App.Writer, pgurl.Redact(db.URL))
						return nil
					}
					cl, err := devdb.AttachRunning(c.Context, devdb.Options{})
					if err != nil {
						return err
					}
					if cl == nil {
						if c.Bool("no-start") {
							return fmt.Errorf("no dev server running; start one with: schemactl dev start")
						}
						if _, _, err := devdb.StartDetached(c.Context, devdb.Options{}); err != nil {
							return err
						}
						if cl, err = devdb.AttachRunning(c.Context, devdb.Options{}); err != nil || cl == nil {
							return fmt.Errorf("dev server did not come up: %v", err)
						}
					}
					defer cl.Close()
					db, err := cl.NewDatabase(c.Context)
					if err != nil {
						return err
					}
					cl.Keep(db)
					fmt.Fprintln(c.App.Writer, db.URL)
					return nil
				},
			},
		},
	}
}
