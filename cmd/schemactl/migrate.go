package main

import "github.com/urfave/cli/v2"

// migrateCommand groups the commands on versioned migration directories.
func migrateCommand() *cli.Command {
	return &cli.Command{
		Name:        "migrate",
		Usage:       "versioned migrations: Atlas-compatible directories with atlas.sum",
		Subcommands: migrateDirCommands(),
	}
}
