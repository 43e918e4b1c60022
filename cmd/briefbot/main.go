// Command briefbot answers journalists' questions from a newsroom's articles,
// in chat (Slack, Matrix, console) or on the command line.
//
// Exit codes: 0 ok, 1 runtime error, 2 usage error, 128+N stopped by
// signal N (130 for SIGINT, Ctrl-C; 143 for SIGTERM).
//
// The first SIGINT or SIGTERM asks briefbot to stop: a one-shot command
// (ask, search, article, digest, eval, index, train) stops what it is doing,
// even in the middle of loading the articles, and exits 128+N; serve shuts
// down cleanly (replies in progress get shutdown_timeout) and exits 0. A
// second signal exits at once with 128+N.
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
	ctx, stop := stopOnSignal(context.Background(), os.Stderr)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// stopOnSignal returns a context that the first SIGINT or SIGTERM cancels,
// with a signalled cause. A second signal writes one line to stderr and
// exits the process at once with 128+N. stop releases the signals.
func stopOnSignal(parent context.Context, stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			cancel(signalled{s})
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "briefbot: second %s received: exiting at once\n", signalled{s}.name())
			os.Exit(signalled{s}.exitCode())
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}

// signalled is the cause of a context stopOnSignal cancelled.
type signalled struct{ sig os.Signal }

func (s signalled) Error() string { return s.name() + " received" }

// name is the signal's conventional name (SIGTERM), not its description.
func (s signalled) name() string {
	switch s.sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.sig.String()
}

// exitCode is the shell's status for a process a signal ended: 128+N.
func (s signalled) exitCode() int {
	if n, ok := s.sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 130
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := newRootCmd(stdin, stdout, stderr)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var sig signalled
	if ctx.Err() != nil && errors.As(context.Cause(ctx), &sig) {
		// asked to stop: say so rather than "context canceled"
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "briefbot: stopped by %s before finishing\n", sig.name())
		} else {
			fmt.Fprintf(stderr, "briefbot: stopped by %s: %v\n", sig.name(), err)
		}
		return sig.exitCode()
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
