package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

// healthcheckCmd probes a running server's /healthz (or any URL): exit 0 on
// HTTP 200, 1 otherwise. It exists for container HEALTHCHECKs in images
// without curl.
func healthcheckCmd(g *globals) *cobra.Command {
	var url string
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "healthcheck",
		Short: "Probe a running briefbot's health endpoint (exit 0 when it answers 200)",
		Args:  argsBetween(0, 0, "no arguments; give the address with --url"),
		RunE: func(c *cobra.Command, _ []string) error {
			if timeout <= 0 {
				return usageError{cmd: "healthcheck", err: fmt.Errorf("--timeout %v: use a positive duration, like 3s", timeout)}
			}
			client := &http.Client{Timeout: timeout}
			req, err := http.NewRequestWithContext(c.Context(), http.MethodGet, url, nil)
			if err != nil {
				return usageError{cmd: "healthcheck", err: fmt.Errorf("--url %q: %w", url, err)}
			}
			resp, err := client.Do(req)
			if err != nil {
				return fmt.Errorf("health check: %w", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("health check: %s answered %s", url, resp.Status)
			}
			fmt.Fprintln(g.stdout, "ok")
			return nil
		},
	}
	c.Flags().StringVar(&url, "url", "http://127.0.0.1:8080/healthz", "the endpoint to probe")
	c.Flags().DurationVar(&timeout, "timeout", 3*time.Second, "give up after this long")
	return c
}
