// Command briefbot answers journalists' questions from a newsroom's articles,
// in chat (Slack, Matrix, console) or on the command line.
//
// Exit codes: 0 ok, 1 runtime error, 2 usage error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := newRootCmd(stdin, stdout, stderr)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "briefbot: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		if ue.cmd == "" || ue.cmd == "briefbot" {
			fmt.Fprintln(stderr, "Run 'briefbot --help' for usage.")
		} else {
			fmt.Fprintf(stderr, "Run 'briefbot %s --help' for usage.\n", ue.cmd)
		}
		return 2
	}
	return 1
}

// usageError marks a mistake in the command line (exit code 2).
type usageError struct {
	cmd string
	err error
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }
