package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// flagsFirst reorders a command line so that the flags of the command it
// runs come before its positional arguments: urfave/cli stops reading
// flags at the first positional argument, and the README's
// `schemactl migrate new add_orders --dir file://migrations` would
// otherwise take --dir and its value for names. The value of a flag that
// takes one stays with it, "--" still ends the flags (what follows is
// positional, even when it starts with "-"), and an unknown flag stays
// among the flags so that it is reported as a usage error.
//
// It also returns the command that runs (nil when none does).
func flagsFirst(app *cli.App, args []string) ([]string, *cli.Command) {
	if len(args) < 2 {
		return args, nil
	}
	out := []string{args[0]}
	flags := append(append([]cli.Flag{}, app.Flags...), cli.HelpFlag)
	cmds := app.Commands
	var leaf *cli.Command
	i := 1
	// The flags before the command and the command's path.
	for i < len(args) {
		a := args[i]
		if a == "--" {
			return args, nil
		}
		if isFlag(a) {
			n := flagLen(flags, args[i:])
			if n == 0 {
				return args, nil
			}
			out = append(out, args[i:i+n]...)
			i += n
			continue
		}
		cmd := findCommand(cmds, a)
		if cmd == nil {
			break
		}
		out = append(out, a)
		i++
		flags = append(append([]cli.Flag{}, cmd.Flags...), cli.HelpFlag)
		cmds, leaf = cmd.Subcommands, cmd
		if len(cmds) == 0 {
			break
		}
	}
	if leaf == nil || len(leaf.Subcommands) > 0 {
		// No command, or a group given an unknown subcommand: nothing
		// to reorder, the command reports it.
		return args, nil
	}
	// The leaf command's arguments: flags first, then the positionals.
	var pos []string
	dashdash, help := false, false
	for i < len(args) {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			dashdash = true
			i = len(args)
		case isFlag(a):
			n := flagLen(flags, args[i:])
			if n == 0 {
				// A flag that lacks its value: last, so that the
				// parser reports it rather than take a name for it.
				return append(out, a), leaf
			}
			out = append(out, args[i:i+n]...)
			i += n
			help = help || a == "-h" || a == "--help" || a == "-help"
		default:
			pos = append(pos, a)
			i++
		}
	}
	if help {
		// urfave/cli would read a positional argument as a help topic.
		return out, leaf
	}
	if len(pos) > 0 && dashdash {
		out = append(out, "--")
	}
	return append(out, pos...), leaf
}

// isFlag reports whether a command-line word is a flag ("-" alone is a
// positional argument, standard input for some commands).
func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' }

// flagLen returns how many words the flag at args[0] takes: two for a
// known flag that takes a value given as the next word, zero when that
// word is missing, else one.
func flagLen(flags []cli.Flag, args []string) int {
	name, _, hasValue := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
	if hasValue {
		return 1
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if df, ok := f.(cli.DocGenerationFlag); ok && !df.TakesValue() {
				return 1
			}
			if len(args) < 2 {
				return 0
			}
			return 2
		}
	}
	return 1
}

// findCommand returns the command of cmds named (or aliased) name.
func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
