package main

import "github.com/urfave/cli/v2"

// migrateCommand groups the commands on versioned migration directories.
func migrateCommand() *cli.Command {
	return &cli.Command{
		Name:        "migrate",
		Usage:       "versioned migrations: Atlas-compatible directories with atlas.sum, applied with history in atlas_schema_revisions",
		Subcommands: append(append(migrateDirCommands(), migrateApplyCommands()...), migrateLintCommand(), migrateDiffCommand(), migrateImportCommand(), migrateDownCommand()),
	}
}
